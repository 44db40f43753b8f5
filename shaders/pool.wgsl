// 2-D pooling over NCHW planes, forward and backward, max and average.
//
// The window (KH x KW), stride and padding are constants of the pipeline:
// the loops then unroll and every tap is branch-free (a clamped read and a
// select), which on lavapipe is several times faster than loops over
// uniform bounds with a `continue` per padded tap.
//
// FORWARD: one invocation computes RUN = 4 consecutive outputs of a row,
//   y[p, oh, ow..ow+3] (p = n*C + c), output ow over the window rows
//   oh*SH - PH .. + KH, cols ow*SW - PW .. + KW, each input value read once
//   for the windows that share it; max skips padding and writes the flat
//   input index ih*W + iw of the maximum (first on ties; the last NaN,
//   which then stays) to `index`; average divides by KH*KW (padding
//   counted, PyTorch's count_include_pad default).
// BACKWARD: one invocation computes the input gradients of RUN = 4
//   consecutive pixels of a row, gx[p, ih, iw..iw+3], by visiting the
//   windows that contain one of them (no atomics), each window's gy and
//   index read once for the four (on lavapipe 2.5x fewer loads than a pixel
//   per invocation at k3 s2): max adds gy where the window's index names
//   the pixel; average adds gy / (KH*KW) where the window holds it.
//
// Bindings: FORWARD x, y, index; BACKWARD gy, index, gx (unused index
// bindings get a dummy buffer); params (uniform).

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read_write> index: array<f32>;

struct Params {
  planes: u32, h: u32, w: u32, oh: u32,
  ow: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}
@group(0) @binding(3) var<uniform> params: Params;

const MAX: bool = {{MAX}};
const BACKWARD: bool = {{BACKWARD}};
const KH: i32 = {{KH}};
const KW: i32 = {{KW}};
const SH: i32 = {{SH}};
const SW: i32 = {{SW}};
const PH: i32 = {{PH}};
const PW: i32 = {{PW}};
// windows along y that can contain one input pixel
const WY: i32 = (KH + SH - 1) / SH;
// Both ways run RUN consecutive pixels of a row per invocation. FORWARD
// reads the SPAN input columns their windows cover; BACKWARD visits the
// windows along x that can hold one of its pixels.
const RUN: u32 = 4u;
const SPAN: i32 = (i32(RUN) - 1) * SW + KW;
const WX_RUN: i32 = (i32(RUN) + KW - 2) / SW + 1;

// By its bits: WGSL lets a compiler assume no NaN, and `v != v` folds away.
fn is_nan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn is_nan4(v: vec4<f32>) -> vec4<bool> {
  return (bitcast<vec4<u32>>(v) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u);
}

fn forward(r: u32, p: Params) {
  // the run of RUN outputs ox0.. of row oy; its lanes are vec4 lanes, and
  // output q's window starts at column x0 + q * SW
  let runs = (p.ow + RUN - 1u) / RUN;
  let plane = r / (p.oh * runs);
  let oy = (r / runs) % p.oh;
  let ox0 = (r % runs) * RUN;
  let h = i32(p.h);
  let w = i32(p.w);
  let y0 = i32(oy) * SH - PH;
  let x0 = i32(ox0) * SW - PW;
  let starts = vec4<i32>(x0) + vec4<i32>(0, SW, 2 * SW, 3 * SW);
  let base = plane * p.h * p.w;
  var best = vec4<f32>(-3.4028235e38);
  var best_index = vec4<u32>(0u);
  var total = vec4<f32>(0.0);
  var found = vec4<bool>(false);
  for (var dy = 0; dy < KH; dy++) {
    let iy = y0 + dy;
    let row_inside = iy >= 0 && iy < h;
    let row = u32(clamp(iy, 0, h - 1)) * p.w;
    for (var dx = 0; dx < SPAN; dx++) {
      let ix = x0 + dx;
      let inside = row_inside && ix >= 0 && ix < w;
      let at = row + u32(clamp(ix, 0, w - 1));
      let v = src[base + at];
      // the outputs whose window holds this value
      let held = (vec4<i32>(ix) >= starts) & (vec4<i32>(ix) < starts + vec4<i32>(KW)) &
        vec4<bool>(inside);
      // a NaN wins, the last one as in PyTorch's kernels (their index takes
      // the gradient); a number never replaces a NaN
      let take = held & (!found | vec4<bool>(is_nan(v)) |
        (!is_nan4(best) & (vec4<f32>(v) > best)));
      best = select(best, vec4<f32>(v), take);
      best_index = select(best_index, vec4<u32>(at), take);
      found = found | held;
      total += select(vec4<f32>(0.0), vec4<f32>(v), held);
    }
  }
  let out = (plane * p.oh + oy) * p.ow + ox0;
  for (var q = 0u; q < RUN; q++) {
    if (ox0 + q < p.ow) {
      if (MAX) {
        dst[out + q] = best[q];
        index[out + q] = f32(best_index[q]);
      } else {
        dst[out + q] = total[q] / f32(KH * KW);
      }
    }
  }
}

fn backward(r: u32, p: Params) {
  // the run of RUN pixels ix0.. of row iy; its lanes are vec4 lanes
  let runs = (p.w + RUN - 1u) / RUN;
  let plane = r / (p.h * runs);
  let iy = (r / runs) % p.h;
  let ix0 = (r % runs) * RUN;
  // windows oy with oy*SH - PH <= iy < oy*SH - PH + KH: oy_lo..oy_hi, and
  // the windows ox that hold any pixel of the run: ox_lo..ox_hi
  let py = i32(iy) + PH;
  let px = i32(ix0) + PW;
  let oy_lo = max(0, (py - KH + SH) / SH);
  let oy_hi = min(i32(p.oh) - 1, py / SH);
  let ox_lo = max(0, (px - KW + SW) / SW);
  let ox_hi = min(i32(p.ow) - 1, (px + i32(RUN) - 1) / SW);
  let base = plane * p.oh * p.ow;
  let columns = vec4<i32>(i32(ix0)) + vec4<i32>(0, 1, 2, 3);
  let pixels = vec4<f32>(f32(iy * p.w + ix0)) + vec4<f32>(0.0, 1.0, 2.0, 3.0);
  var total = vec4<f32>(0.0);
  for (var ty = 0; ty < WY; ty++) {
    let oy = oy_lo + ty;
    let row = u32(clamp(oy, 0, i32(p.oh) - 1)) * p.ow;
    for (var tx = 0; tx < WX_RUN; tx++) {
      let ox = ox_lo + tx;
      let o = base + row + u32(clamp(ox, 0, i32(p.ow) - 1));
      let valid = oy <= oy_hi && ox <= ox_hi;
      let g = select(0.0, src[o], valid);
      var hits: vec4<bool>;
      if (MAX) {
        hits = vec4<f32>(index[o]) == pixels;
      } else {
        let x0 = ox * SW - PW;
        hits = (columns >= vec4<i32>(x0)) & (columns < vec4<i32>(x0 + KW));
      }
      total += select(vec4<f32>(0.0), vec4<f32>(g), hits);
    }
  }
  if (!MAX) { total /= f32(KH * KW); }
  let out = (plane * p.h + iy) * p.w + ix0;
  for (var q = 0u; q < RUN; q++) {
    if (ix0 + q < p.w) { dst[out + q] = total[q]; }
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  let p = params;
  if (BACKWARD) {
    if (i < p.planes * p.h * ((p.w + RUN - 1u) / RUN)) { backward(i, p); }
  } else {
    if (i < p.planes * p.oh * ((p.ow + RUN - 1u) / RUN)) { forward(i, p); }
  }
}
