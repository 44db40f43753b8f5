// Winograd F(3x3, TxT) (T = 2 or 4) for the weight gradient, output
// transform: gw = G^T M G (lib/device/winograd_transforms.ts writes the
// arithmetic), M the sums over all tiles of the A * A products (A = T + 2),
// m[(xi * OC + oc) * KCG + k] (per group [G][OCG][KCG], so
// oc = g * OCG + o). k = block * CG + c: block (a, b) of a 5x5 kernel
// gives its taps (3a + i, 3b + j), those past the edge dropped (see
// winograd_input.wgsl).
// One invocation per (output channel, k).
//
// Bindings: m (read), gw (read_write) [OC, CG, K, K], params (uniform).

@group(0) @binding(0) var<storage, read> m: array<f32>;
@group(0) @binding(1) var<storage, read_write> gw: array<f32>;

struct Params {
  // invocations (OC * KCG), KCG, channels per group CG, kernel size K
  count: u32, kcg: u32, cg: u32, k: u32,
  // blocks per side, unused
  blocks: u32, _0: u32, _1: u32, _2: u32,
}
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = params;
  let id = gid.x + gid.y * nwg.x * 64u;
  if (id >= p.count) {
    return;
  }
  let oc = id / p.kcg;
  let within = id % p.kcg;
  let block = within / p.cg;
  let channel = within % p.cg;
  let stride = p.count; // OC * KCG between consecutive xi
  let ky0 = 3u * (block / p.blocks);
  let kx0 = 3u * (block % p.blocks);
  let base = (oc * p.cg + channel) * p.k * p.k;
  // the taps of this block inside the kernel
  let rows = min(p.k - ky0, 3u);
  let columns = min(p.k - kx0, 3u);
  // gw = G^T M G, each tap stored when it lies inside the kernel
{{TRANSFORM}}
}
