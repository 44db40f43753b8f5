// Winograd F(TxT, KxK) (T = 2 or 4, K = 3 or 5), weight transform:
// U = G g G^T for each K x K kernel g (lib/device/winograd_transforms.ts
// writes the arithmetic), written as A * A matrices (A = T + K - 1; one
// per element xi of U), each [G][Q][R], the B operand (k: Q, columns: R)
// of the GEMM:
//   u[((xi * GROUPS + grp) * Q + q) * R + r].
// Forward (FLIP false): r = output channel in the group, q = input
// channel, the kernel w[grp * R + r][q]. Backward-input (FLIP true) runs
// the convolution with channels swapped and the kernel turned by 180
// degrees: r = input channel, q = output channel, the kernel
// w[grp * Q + q][r] flipped.
// One invocation per (grp, q, r).
//
// Bindings: w (read) [OC, CG, K, K], u (read_write), params (uniform).

@group(0) @binding(0) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read_write> u: array<f32>;

struct Params {
  // invocations (GROUPS * R * Q), R, Q, input channels per group CG
  count: u32, r: u32, q: u32, cg: u32,
}
@group(0) @binding(2) var<uniform> params: Params;

const FLIP: bool = {{FLIP}};
const K: u32 = {{TAPS}}u;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = params;
  let id = gid.x + gid.y * nwg.x * 64u;
  if (id >= p.count) {
    return;
  }
  let r = id % p.r;
  let q = (id / p.r) % p.q;
  let grp = id / (p.q * p.r);
  // (output channel, input channel) of the source kernel
  let src = select((grp * p.r + r) * p.cg + q, (grp * p.q + q) * p.cg + r, FLIP) * K * K;
  // constant trip counts, so that the loops unroll and g stays in registers
  var g: array<f32, {{TAPS_SQUARED}}>;
  for (var i = 0u; i < K; i++) {
    for (var j = 0u; j < K; j++) {
      // tap (i, j) of the (flipped) kernel
      let sy = select(i, K - 1u - i, FLIP);
      let sx = select(j, K - 1u - j, FLIP);
      g[i * K + j] = w[src + sy * K + sx];
    }
  }
  let stride = p.count; // GROUPS * R * Q between consecutive xi
  // U = G g G^T; xi = row * A + column
{{TRANSFORM}}
}
