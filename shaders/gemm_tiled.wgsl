// The GPU family: GEMM tiled through workgroup memory, for matmul and for
// conv2d forward, backward-input and backward-weight as implicit GEMMs.
// C[z, m, n] = sum_k A(z, m, k) * B(z, k, n), then the epilogue.
//
// A workgroup owns a BM x BN tile of C (BM = TM*WG_Y rows, BN = TN*WG_X
// columns); one invocation keeps a TM x TN register block of it (TN/4 vec4
// locals per row, c_i_j) over its k range. Per BK-deep k-slice the
// workgroup copies A's BM rows and B's BN columns of the slice into
// workgroup memory (k-major, zeros past the edges; consecutive invocations
// load neighbouring addresses), one barrier, then every invocation reads
// its rows and columns of the slice as vec4s and does TM x TN FMAs per k.
// The operand gathers (a plain matrix or an NCHW tensor read as an im2col
// matrix, never formed in memory) and the stores come from the dispatcher
// (lib/device/gemm_tiled.ts and its callers).
//
// workgroup_id.z = zb * SPLITS + zs: zb is the batch (matmul) or group
// (conv2d), zs the split of K (split-K: split zs sums k in [zs*KS, zs*KS +
// KS), and its partial sums go to their own slice of the output).
//
// Bindings: a, b (read, f32 storage arrays), bias (read, when the epilogue
// has one), out (read_write, f32), params (uniform).
// Layout: row-major; NCHW for conv2d tensors. Tile constants: TM, TN, WG_X,
// WG_Y, BK.

{{BINDINGS}}

struct Params {
  m: u32,
  n: u32,
  k: u32,
  // matmul: per-batch strides of A, B and C; k_split: K per split
  a_stride: u32,
  b_stride: u32,
  out_stride: u32,
  k_split: u32,
  batch: u32,
  // conv2d geometry (zero for matmul)
  c: u32,
  h: u32,
  w: u32,
  oc: u32,
  oh: u32,
  ow: u32,
  cg: u32,
  ocg: u32,
  kh: u32,
  kw: u32,
  sh: i32,
  sw: i32,
  ph: i32,
  pw: i32,
  dh: i32,
  dw: i32,
  // splits of K (workgroup_id.z = zb * splits + zs)
  splits: u32,
}

@group(0) @binding({{PARAMS_BINDING}}) var<uniform> params: Params;

const BM = {{BM}}u;
const BN = {{BN}}u;
const BK = {{BK}}u;

var<workgroup> a_tile: array<vec4<f32>, {{A_TILE}}>;
var<workgroup> b_tile: array<vec4<f32>, {{B_TILE}}>;

// Operand gathers: element (row, kk) of A and (kk, col) of B at indices
// already clamped to the matrix; the caller zeroes what lies outside.
fn load_a(z: u32, row: u32, kk: u32) -> f32 {
  let p = params;
{{LOAD_A}}
}

fn load_b(z: u32, kk: u32, col: u32) -> f32 {
  let p = params;
{{LOAD_B}}
}

@compute @workgroup_size({{WG_X}}, {{WG_Y}})
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
) {
  let p = params;
  let M = p.m;
  let N = p.n;
  let zb = wid.z / p.splits;
  let zs = wid.z % p.splits;
  let k_begin = zs * p.k_split;
  let k_end = min(p.k, k_begin + p.k_split);
  let t = lid.y * {{WG_X}}u + lid.x;
  let base_m = wid.y * BM;
  let base_n = wid.x * BN;
  let lrow = lid.y * {{TM}}u;
  let lcol = lid.x * {{TN}}u;
  let row0 = base_m + lrow;
  let col0 = base_n + lcol;
{{ACCUMULATORS}}
  for (var k0 = k_begin; k0 < k_end; k0 += BK) {
    // fill: element e of a slice is (kk = e / BM, row = e % BM) for A
    // (rows fastest) or (row = e / BK, kk = e % BK) when A runs along k
{{FILL}}
    workgroupBarrier();
    for (var q = 0u; q < BK; q++) {
{{STEP}}
    }
    workgroupBarrier();
  }
{{STORE}}
}
