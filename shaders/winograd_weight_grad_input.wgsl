// Winograd F(3x3, 2x2) for the weight gradient, input transform: for each
// 4x4 patch d of x under the 2x2 tile (ty, tx) of gy (it starts at input
// row 2 * ty - PH, column 2 * tx - PW; zeros outside the input),
// V = B^T d B with B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1] (the
// forward's: F(3, 2) is F(2, 3) transposed, see conv2d_winograd_weight.ts),
// written as 16 matrices (one per element xi of V), each [G][KCG][T] with
// T = N * TH * TW tiles along the GEMM's k, contiguous:
//   v[((xi * G + g) * KCG + k) * T + t] = v[(xi * KC + kc) * T + t].
// A 5x5 kernel is cut into BLOCKS x BLOCKS blocks of 3x3 as in
// winograd_input.wgsl: block (a, b) reads the patch moved by (3a, 3b), and
// k = block * CG + c within group g.
// One invocation per (kc, tile), the tile fastest, so that neighbouring
// invocations write neighbouring values.
//
// Bindings: x (read), v (read_write), params (uniform).

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> v: array<f32>;

struct Params {
  // invocations (KC * T), tiles per sample (TH * TW), TW, tiles T
  count: u32, tiles: u32, tw: u32, t: u32,
  // channels C, input height and width, padding
  c: u32, h: u32, w: u32, ph: u32,
  // padding, channels per group CG, blocks per side, unused
  pw: u32, cg: u32, blocks: u32, _0: u32,
}
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  // read the uniforms once: on lavapipe each read is a loop over the lanes
  let p = params;
  let id = gid.x + gid.y * nwg.x * 64u;
  if (id >= p.count) {
    return;
  }
  let t = id % p.t; // n * TH * TW + tile
  let kc = id / p.t; // g * KCG + block * CG + c
  let kcg = p.blocks * p.blocks * p.cg;
  let g = kc / kcg;
  let within = kc % kcg;
  let block = within / p.cg;
  let channel = g * p.cg + within % p.cg;
  let tile = t % p.tiles;
  let plane = (t / p.tiles) * p.c + channel; // n * C + channel
  let y0 = i32(tile / p.tw) * 2 - i32(p.ph) + 3 * i32(block / p.blocks);
  let x0 = i32(tile % p.tw) * 2 - i32(p.pw) + 3 * i32(block % p.blocks);
  let base = plane * p.h * p.w;
  var d: array<vec4<f32>, 4>;
  for (var i = 0; i < 4; i++) {
    let iy = y0 + i;
    var row = vec4<f32>(0.0);
    if (iy >= 0 && iy < i32(p.h)) {
      for (var j = 0; j < 4; j++) {
        let ix = x0 + j;
        if (ix >= 0 && ix < i32(p.w)) {
          row[j] = x[base + u32(iy) * p.w + u32(ix)];
        }
      }
    }
    d[i] = row;
  }
  // B^T d: combine rows
  let rows = array<vec4<f32>, 4>(d[0] - d[2], d[1] + d[2], d[2] - d[1], d[1] - d[3]);
  let stride = p.count; // KC * T between consecutive xi
  for (var i = 0u; i < 4u; i++) {
    // (B^T d) B: combine columns
    let r = rows[i];
    let o = id + i * 4u * stride;
    v[o] = r.x - r.z;
    v[o + stride] = r.y + r.z;
    v[o + 2u * stride] = r.z - r.y;
    v[o + 3u * stride] = r.y - r.w;
  }
}
