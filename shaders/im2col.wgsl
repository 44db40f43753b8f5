// im2col for the weight gradient of conv2d: the input x [N, C, H, W]
// unrolled into columns, one row per (group, channel, ky, kx) and one
// column per (sample, oy, ox) (the GEMM's k), zero where a tap falls in
// the padding:
//   out[((g * CG + c) * KH + ky) * KW + kx][(n * OH + oy) * OW + ox]
//     = x[n, g * CG + c, oy * SH + ky * DH - PH, ox * SW + kx * DW - PW]
// One invocation writes 4 consecutive columns of one row (a vec4 store when
// the row length is a multiple of 4, else 4 scalar ones: STORE); x of the grid runs along the
// columns, so neighbouring invocations read neighbouring input pixels.
//
// Bindings: x (read), out (read_write), params (uniform).

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<{{OUT_TYPE}}>;

struct Params {
  // columns (N * OH * OW), output pixels per sample (OH * OW), OW, rows (G * CG * KH * KW)
  cols: u32, ohw: u32, ow: u32, rows: u32,
  // taps per channel (KH * KW), KW, input pixels per channel (H * W), W
  khw: u32, kw: u32, hw: u32, w: u32,
  // input rows H, channels per sample C, strides, dilations, padding
  h: u32, c: u32, sh: i32, sw: i32,
  dh: i32, dw: i32, ph: i32, pw: i32,
}
@group(0) @binding(2) var<uniform> params: Params;

fn x_at(p: Params, row: u32, col: u32) -> f32 {
  let n = col / p.ohw;
  let pixel = col % p.ohw;
  let channel = row / p.khw; // g * CG + c: the input channel
  let tap = row % p.khw;
  let iy = i32(pixel / p.ow) * p.sh + i32(tap / p.kw) * p.dh - p.ph;
  let ix = i32(pixel % p.ow) * p.sw + i32(tap % p.kw) * p.dw - p.pw;
  let inside = col < p.cols && iy >= 0 && iy < i32(p.h) && ix >= 0 && ix < i32(p.w);
  let index = (n * p.c + channel) * p.hw + u32(max(iy, 0)) * p.w + u32(max(ix, 0));
  return select(0.0, x[select(0u, index, inside)], inside);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  // read the uniforms once: on lavapipe each read is a loop over the lanes
  let p = params;
  let col = gid.x * 4u;
  let row = gid.y + gid.z * nwg.y;
  if (col >= p.cols || row >= p.rows) {
    return;
  }
  let v = vec4<f32>(x_at(p, row, col), x_at(p, row, col + 1u), x_at(p, row, col + 2u), x_at(p, row, col + 3u));
{{STORE}}
}
