// Winograd F(TxT, 3x3) (T = 2 or 4), input transform: for each AxA input
// patch d (A = T + 2; tile (ty, tx) starts at input row T * ty - PH,
// column T * tx - PW; zeros outside the input), V = B^T d B
// (lib/device/winograd_transforms.ts writes the arithmetic), written as
// A * A matrices (one per element xi of V), each [G][T][KCG] with
// T = N * TH * TW tiles, the A operand (rows: tiles, k: KCG) of the
// forward's GEMM:
//   v[((xi * G + g) * T + t) * KCG + k],
// or with K_MAJOR each [G][KCG][T], the B operand (k: tiles) of the weight
// gradient's (conv2d_winograd_weight.ts: F(3x3, TxT) is F(TxT, 3x3)
// transposed and shares this B^T):
//   v[((xi * G + g) * KCG + k) * T + t].
// A kernel larger than 3x3 (5x5) is cut into BLOCKS x BLOCKS blocks of 3x3
// (zeros past its edge), block (a, b) a 3x3 convolution of the input moved
// by (3a, 3b): each (block, channel) of a group is one k, k = block * CG + c.
// One invocation per (sample, tile, k), k fastest (tiles fastest with
// K_MAJOR), so that neighbouring invocations write neighbouring values.
//
// Bindings: x (read), v (read_write), params (uniform).

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> v: array<f32>;

struct Params {
  // invocations (N * TH * TW * KC), tiles per sample (TH * TW), TW, tiles T
  count: u32, tiles: u32, tw: u32, t: u32,
  // channels C, input height and width, padding
  c: u32, h: u32, w: u32, ph: u32,
  // padding, channels per group CG, blocks per side, k per sample KC (G * KCG)
  pw: u32, cg: u32, blocks: u32, kc: u32,
}
@group(0) @binding(2) var<uniform> params: Params;

const K_MAJOR: bool = {{K_MAJOR}};
const TILE: i32 = {{TILE}};

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  // read the uniforms once: on lavapipe each read is a loop over the lanes
  let p = params;
  let id = gid.x + gid.y * nwg.x * 64u;
  if (id >= p.count) {
    return;
  }
  let kcg = p.kc / (p.c / p.cg);
  // k = g * KCG + block * CG + c; t = n * TH * TW + tile
  let k = select(id % p.kc, id / p.t, K_MAJOR);
  let t = select(id / p.kc, id % p.t, K_MAJOR);
  let g = k / kcg;
  let within = k % kcg; // block * CG + c
  let block = within / p.cg;
  let channel = g * p.cg + within % p.cg;
  let tile = t % p.tiles;
  let plane = (t / p.tiles) * p.c + channel; // n * C + channel
  let y0 = i32(tile / p.tw) * TILE - i32(p.ph) + 3 * i32(block / p.blocks);
  let x0 = i32(tile % p.tw) * TILE - i32(p.pw) + 3 * i32(block % p.blocks);
  let base = plane * p.h * p.w;
  // d, the patch, value by value (zeros outside x): written out, since
  // llvmpipe keeps a loop of 36 loads rolled and its array in memory
{{LOADS}}
  let stride = p.kc * p.t; // between consecutive xi
  let o = select((g * p.t + t) * kcg + within, id, K_MAJOR);
  // V = B^T d B; xi = row * A + column
{{TRANSFORM}}
}
