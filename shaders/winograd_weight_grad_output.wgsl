// Winograd F(3x3, 2x2) for the weight gradient, output transform:
// gw = A^T M A with A^T = [1 1 1 0; 0 1 -1 0; 0 1 1 1], M the sums over
// all tiles of the 16 products, m[(xi * OC + oc) * KCG + k] (per group
// [G][OCG][KCG], so oc = g * OCG + o). k = block * CG + c: block (a, b) of
// a 5x5 kernel gives its taps (3a + i, 3b + j), those past the edge
// dropped (see winograd_input.wgsl).
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
  // A^T M: three rows of 4
  var r0 = vec4<f32>(0.0);
  var r1 = vec4<f32>(0.0);
  var r2 = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) {
    let c0 = m[id + j * stride];
    let c1 = m[id + (4u + j) * stride];
    let c2 = m[id + (8u + j) * stride];
    let c3 = m[id + (12u + j) * stride];
    r0[j] = c0 + c1 + c2;
    r1[j] = c1 - c2;
    r2[j] = c1 + c2 + c3;
  }
  let rows = array<vec4<f32>, 3>(r0, r1, r2);
  let ky0 = 3u * (block / p.blocks);
  let kx0 = 3u * (block % p.blocks);
  let base = (oc * p.cg + channel) * p.k * p.k;
  for (var i = 0u; i < 3u; i++) {
    // (A^T M) A: three columns
    let r = rows[i];
    let taps = vec3<f32>(r.x + r.y + r.z, r.y - r.z, r.y + r.z + r.w);
    let ky = ky0 + i;
    for (var j = 0u; j < 3u; j++) {
      let kx = kx0 + j;
      if (ky < p.k && kx < p.k) {
        gw[base + ky * p.k + kx] = taps[j];
      }
    }
  }
}
