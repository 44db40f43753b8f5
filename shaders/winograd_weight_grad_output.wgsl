// Winograd F(KxK, TxT) (T = 2 or 4, K = 3 or 5) for the weight gradient,
// output transform: gw = G^T M G (lib/device/winograd_transforms.ts writes
// the arithmetic), M the sums over all tiles of the A * A products
// (A = T + K - 1), m[(xi * OC + oc) * CG + c] (per group [G][OCG][CG], so
// oc = g * OCG + o).
// One invocation per (output channel, input channel of its group).
//
// Bindings: m (read), gw (read_write) [OC, CG, K, K], params (uniform).

@group(0) @binding(0) var<storage, read> m: array<f32>;
@group(0) @binding(1) var<storage, read_write> gw: array<f32>;

struct Params {
  // invocations (OC * CG), unused
  count: u32, _0: u32, _1: u32, _2: u32,
}
@group(0) @binding(2) var<uniform> params: Params;

const K: u32 = {{TAPS}}u;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = params;
  let id = gid.x + gid.y * nwg.x * 64u;
  if (id >= p.count) {
    return;
  }
  let stride = p.count; // OC * CG between consecutive xi
  // gw[oc][c] = G^T M G
  let base = id * K * K;
{{TRANSFORM}}
}
