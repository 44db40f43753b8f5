// Winograd F(TxT, 3x3) (T = 2 or 4), weight transform: U = G g G^T for each
// 3x3 kernel g (lib/device/winograd_transforms.ts writes the arithmetic),
// written as A * A matrices (A = T + 2; one per element xi of U), each
// [G][Q][R], the B operand (k: Q, columns: R) of the GEMM:
//   u[((xi * GROUPS + grp) * Q + q) * R + r].
// A K x K kernel (K = 3 or 5) is cut into BLOCKS x BLOCKS blocks of 3x3,
// zeros past its edge: q = block * QC + channel (see winograd_input.wgsl).
// Forward (FLIP false): r = output channel in the group, channel = input
// channel, the kernel w[grp * R + r][channel]. Backward-input (FLIP true)
// runs the convolution with channels swapped and the kernel turned by 180
// degrees: r = input channel, channel = output channel, the kernel
// w[grp * QC + channel][r] flipped.
// One invocation per (grp, q, r).
//
// Bindings: w (read) [OC, CG, K, K], u (read_write), params (uniform).

@group(0) @binding(0) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read_write> u: array<f32>;

struct Params {
  // invocations (GROUPS * R * Q), R, Q, input channels per group CG
  count: u32, r: u32, q: u32, cg: u32,
  // kernel size K, blocks per side, channels of k per block QC, unused
  k: u32, blocks: u32, qc: u32, _0: u32,
}
@group(0) @binding(2) var<uniform> params: Params;

const FLIP: bool = {{FLIP}};

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
  let block = q / p.qc;
  let channel = q % p.qc;
  // (output channel, input channel) of the source kernel
  let src = select((grp * p.r + r) * p.cg + channel, (grp * p.qc + channel) * p.cg + r, FLIP) * p.k * p.k;
  let ky0 = 3u * (block / p.blocks);
  let kx0 = 3u * (block % p.blocks);
  var g: array<f32, 9>;
  for (var i = 0u; i < 3u; i++) {
    for (var j = 0u; j < 3u; j++) {
      // tap (ky, kx) of the (flipped) kernel, zero past its edge
      let ky = ky0 + i;
      let kx = kx0 + j;
      if (ky < p.k && kx < p.k) {
        let sy = select(ky, p.k - 1u - ky, FLIP);
        let sx = select(kx, p.k - 1u - kx, FLIP);
        g[i * 3u + j] = w[src + sy * p.k + sx];
      }
    }
  }
  let stride = p.count; // GROUPS * R * Q between consecutive xi
  // U = G g G^T; xi = row * A + column
{{TRANSFORM}}
}
