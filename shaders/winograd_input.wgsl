// Winograd F(TxT, KxK) (T = 2 or 4, K = 3 or 5), input transform: for each
// AxA input patch d (A = T + K - 1; tile (ty, tx) starts at input row
// T * ty - PH, column T * tx - PW; zeros outside the input), V = B^T d B
// (lib/device/winograd_transforms.ts writes the arithmetic), written as
// A * A matrices (one per element xi of V), each [G][T][CG] with
// T = N * TH * TW tiles:
//   v[((xi * G + g) * T + t) * CG + c].
// Each is the A operand (rows: tiles, k: channels) of the forward's GEMM
// and the B operand (k: tiles, columns: channels) of the weight
// gradient's (conv2d_winograd_weight.ts: F(KxK, TxT) is F(TxT, KxK)
// transposed and shares this B^T), which reuses the forward's V.
// One invocation per (sample, tile, channel), channels fastest, so that
// neighbouring invocations write neighbouring values.
//
// Bindings: x (read), v (read_write), params (uniform).

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> v: array<f32>;

struct Params {
  // invocations (N * TH * TW * C), tiles per sample (TH * TW), TW, tiles T
  count: u32, tiles: u32, tw: u32, t: u32,
  // channels C, input height and width, padding
  c: u32, h: u32, w: u32, ph: u32,
  // padding, channels per group CG, unused
  pw: u32, cg: u32, _0: u32, _1: u32,
}
@group(0) @binding(2) var<uniform> params: Params;

const TILE: i32 = {{TILE}};

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  // read the uniforms once: on lavapipe each read is a loop over the lanes
  let p = params;
  let id = gid.x + gid.y * nwg.x * 64u;
  if (id >= p.count) {
    return;
  }
  // channel = g * CG + c; t = n * TH * TW + tile
  let channel = id % p.c;
  let t = id / p.c;
  let g = channel / p.cg;
  let tile = t % p.tiles;
  let plane = (t / p.tiles) * p.c + channel; // n * C + channel
  let y0 = i32(tile / p.tw) * TILE - i32(p.ph);
  let x0 = i32(tile % p.tw) * TILE - i32(p.pw);
  let base = plane * p.h * p.w;
  // d, the patch, value by value (zeros outside x): written out, since
  // llvmpipe keeps a loop of 36 or 64 loads rolled and its array in memory
{{LOADS}}
  let stride = p.c * p.t; // between consecutive xi
  let o = (g * p.t + t) * p.cg + channel % p.cg;
  // V = B^T d B; xi = row * A + column
{{TRANSFORM}}
}
