// 2-D pooling over NCHW planes, forward and backward, max and average.
//
// FORWARD: one invocation computes one output y[p, oh, ow] (p = n*C + c)
//   over the window rows oh*sh - ph .. + kh, cols ow*sw - pw .. + kw;
//   max skips padding and writes the flat input index ih*W + iw of the
//   maximum (first on ties) to `index`; average divides by kh*kw (padding
//   counted, PyTorch's count_include_pad default).
// BACKWARD: one invocation computes one input gradient gx[p, ih, iw] by
//   visiting the windows that contain it (no atomics): max adds gy where
//   the window's index names this pixel; average adds gy / (kh*kw).
//
// Bindings: FORWARD x, y, index; BACKWARD gy, index, gx (unused index
// bindings get a dummy buffer); params (uniform).

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read_write> index: array<f32>;

struct Params {
  planes: u32, h: u32, w: u32, oh: u32,
  ow: u32, kh: u32, kw: u32, sh: u32,
  sw: u32, ph: u32, pw: u32, _pad: u32,
}
@group(0) @binding(3) var<uniform> params: Params;

const MAX: bool = {{MAX}};
const BACKWARD: bool = {{BACKWARD}};

fn forward(o: u32) {
  let plane = o / (params.oh * params.ow);
  let oy = (o / params.ow) % params.oh;
  let ox = o % params.ow;
  let y0 = i32(oy * params.sh) - i32(params.ph);
  let x0 = i32(ox * params.sw) - i32(params.pw);
  let base = plane * params.h * params.w;
  var best = -3.4028235e38;
  var best_index = 0u;
  var total = 0.0;
  var found = false;
  for (var dy = 0u; dy < params.kh; dy++) {
    let iy = y0 + i32(dy);
    if (iy < 0 || iy >= i32(params.h)) { continue; }
    for (var dx = 0u; dx < params.kw; dx++) {
      let ix = x0 + i32(dx);
      if (ix < 0 || ix >= i32(params.w)) { continue; }
      let at = u32(iy) * params.w + u32(ix);
      let v = src[base + at];
      if (!found || v > best || v != v) { best = v; best_index = at; found = true; }
      total += v;
    }
  }
  if (MAX) {
    dst[o] = best;
    index[o] = f32(best_index);
  } else {
    dst[o] = total / f32(params.kh * params.kw);
  }
}

fn backward(i: u32) {
  let plane = i / (params.h * params.w);
  let iy = (i / params.w) % params.h;
  let ix = i % params.w;
  let at = f32(iy * params.w + ix);
  // Windows oy with oy*sh - ph <= iy < oy*sh - ph + kh.
  let py = i32(iy + params.ph);
  let px = i32(ix + params.pw);
  let oy_lo = max(0, (py - i32(params.kh) + i32(params.sh)) / i32(params.sh));
  let oy_hi = min(i32(params.oh) - 1, py / i32(params.sh));
  let ox_lo = max(0, (px - i32(params.kw) + i32(params.sw)) / i32(params.sw));
  let ox_hi = min(i32(params.ow) - 1, px / i32(params.sw));
  var total = 0.0;
  for (var oy = oy_lo; oy <= oy_hi; oy++) {
    for (var ox = ox_lo; ox <= ox_hi; ox++) {
      let o = (plane * params.oh + u32(oy)) * params.ow + u32(ox);
      if (MAX) {
        if (index[o] == at) { total += src[o]; }
      } else {
        total += src[o];
      }
    }
  }
  dst[i] = select(total / f32(params.kh * params.kw), total, MAX);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (BACKWARD) {
    if (i < params.planes * params.h * params.w) { backward(i); }
  } else {
    if (i < params.planes * params.oh * params.ow) { forward(i); }
  }
}
