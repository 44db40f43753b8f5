// Matmul: C[z, m, n] = sum_k A[z, m, k] * B[z, k, n] (+ bias[n]).
//
// One invocation accumulates a register block of TM rows x TN columns of C
// (TN/4 vec4 per row, in local variables c_i_j) over the whole K, so each
// value it loads feeds TM or TN/4 FMAs; loads, not arithmetic, bound the
// speed on lavapipe. A workgroup is WG_X x WG_Y invocations side by side
// (columns along x); workgroup_id.z is the batch index.
//
// Bindings: a, b (read: rgba32float textures holding the operand's flat
// float array 4 floats per texel, row-major over a 2^TEX_SHIFT texel wide
// texture, or storage arrays of vec4<f32> or f32), bias (read, when given),
// out (read_write: f32, or vec4<f32> where a short-k product stores 4 columns
// at once), params (uniform).
// Layout: row-major; A is [batchA, m, k] or, transposed, [batchA, k, m];
// B is [batchB, k, n] or [batchB, n, k]; a batch of 1 broadcasts (its batch
// stride is 0).
// Generated parts (lib/device/matmul_register.ts): the k loop with the loads of one
// k-step of KS values and the unrolled FMAs, and the guarded stores. Tile
// constants: TM, TN, KS (4 when K % 4 == 0, else 1), WG_X, WG_Y.
// Where a workgroup is exactly one subgroup (lavapipe: 8 lanes), LANE
// declares `lane` (subgroup_invocation_id) and each lane fetches every 8th
// of A's vec4s, subgroupBroadcast handing them to the others
// (lib/device/subgroups.ts); elsewhere LANE is empty.
// SHARED variant (discrete GPUs): the workgroup first copies a BK-deep
// slice of its A rows and B columns into workgroup memory (a_tile, b_tile,
// k-major, zeros past the edges), then each invocation runs its register
// block on that slice; two barriers per slice.

{{BINDINGS}}

struct Params {
  m: u32,
  n: u32,
  k: u32,
  a_batch_stride: u32,
  b_batch_stride: u32,
  out_batch_stride: u32,
  _pad0: u32,
  _pad1: u32,
}

// params sit in a storage buffer when textures are bound (see matmul.ts)
@group(0) @binding({{PARAMS_BINDING}}) var<{{PARAMS_SPACE}}> params: Params;

{{DECLARATIONS}}

@compute @workgroup_size({{WG_X}}, {{WG_Y}})
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,{{LANE}}
) {
  let M = params.m;
  let N = params.n;
  let K = params.k;
  let row0 = (wid.y * {{WG_Y}}u + lid.y) * {{TM}}u;
  let col0 = (wid.x * {{WG_X}}u + lid.x) * {{TN}}u;
  let a_base = wid.z * params.a_batch_stride;
  let b_base = wid.z * params.b_batch_stride;
  let out_base = wid.z * params.out_batch_stride;
  // Rows and columns past the edge load clamped (valid) addresses; their
  // results are never stored.
{{SETUP}}
{{ACCUMULATORS}}
{{LOOP}}
{{STORE}}
}
