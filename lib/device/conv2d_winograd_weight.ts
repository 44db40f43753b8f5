/**
 * The weight gradient of the stride-1 3x3 layers (conv3-5 of the course
 * AlexNet) by Winograd F(3x3, 2x2): gw[oc, c, ky, kx] = sum over samples
 * and output pixels of gy[n, oc, oy, ox] * xpad[n, c, oy + ky, ox + kx].
 * Cut gy into 2x2 tiles: each tile's share of the 3x3 gw is the
 * correlation of the 4x4 input patch under it with the 2x2 tile, 16
 * multiplications in a 4x4 transformed domain instead of 36. The sum over
 * all tiles of all samples runs in the transformed domain as one batched
 * matmul, for each of the 16 elements xi:
 *   M[xi] [OCG, KCG] = U[xi] [OCG, T] @ V[xi] [KCG, T]^T   (k = T tiles),
 * per group, then one inverse transform per (oc, c). A 5x5 kernel (conv2)
 * is cut into 2x2 blocks of 3x3 as the forward does (conv2d_winograd.ts):
 * block (a, b) correlates the input moved by (3a, 3b), taps past the
 * kernel's edge dropped; 64 multiplications instead of 100.
 *
 * The matrices come from F(2, 3) (conv2d_winograd.ts) by the transposition
 * principle: F(2, 3) computes y = A2^T [(G2 g) . (B2^T d)], so
 * sum_i h_i y_i = sum_e (A2 h)_e (G2 g)_e (B2^T d)_e, whose gradient in g
 * is the correlation of d with h: w = G2^T [(A2 h) . (B2^T d)]. With the
 * halves of G2^T moved into A2 that is {@link F32_INPUT} (= the forward's
 * B^T), {@link F32_GRADIENT} and {@link F32_OUTPUT}, which the shaders
 * hard-code: the forward's `shaders/winograd_input.wgsl` (with K_MAJOR, for
 * this GEMM's layout) and `shaders/winograd_weight_grad_{gy,output}.wgsl`.
 *
 * Both GEMM operands keep k (the tiles) contiguous, the layout of the
 * im2col path's (conv2d_im2col.ts) that the lavapipe matmul reads fastest.
 *
 * @module
 */
import { allocate, release } from "./buffer_pool.ts";
import type { Conv2dShape } from "./conv2d.ts";
import { matmulWith } from "./matmul.ts";
import { fillTemplate, pipeline, shaderSource } from "./pipeline_cache.ts";
import {
  blocksOf,
  forwardGeometry,
  tilesOf,
  transformInput,
  winogradFits,
  workgroups,
} from "./conv2d_winograd.ts";
import { dispatch } from "./recorder.ts";
import type { GemmTiling } from "./tuning.ts";

/** B^T of F(3, 2), 4x4: the input transform (the same as F(2, 3)'s). */
export const F32_INPUT: readonly number[][] = [
  [1, 0, -1, 0],
  [0, 1, 1, 0],
  [0, -1, 1, 0],
  [0, 1, 0, -1],
];

/** G of F(3, 2), 4x2: the transform of a 2-tap run of gy. */
export const F32_GRADIENT: readonly number[][] = [
  [1, 0],
  [0.5, 0.5],
  [0.5, -0.5],
  [0, -1],
];

/** A^T of F(3, 2), 3x4: back from the transformed domain to 3 taps. */
export const F32_OUTPUT: readonly number[][] = [
  [1, 1, 1, 0],
  [0, 1, -1, 0],
  [0, 1, 1, 1],
];

/**
 * True when the weight gradient of `s` can run as Winograd F(3x3, 2x2): a
 * square 3x3 or 5x5 kernel, stride 1, dilation 1, padding below the kernel
 * size, and each transformed operand fits one binding.
 *
 * @param s the layer's sizes
 * @returns whether {@link winogradBackwardWeight} can run it
 */
export function winogradWeightFits(s: Conv2dShape): boolean {
  // the same operands as the forward's: V of x, gy's size of U, the weights' of M
  return winogradFits("forward", s);
}

/** One of the three transforms over `count` invocations. */
function transform(
  name: "gy" | "output",
  from: GPUBuffer,
  to: GPUBuffer,
  uniforms: number[],
): void {
  dispatch({
    label: `winograd weight-gradient ${name}`,
    pipeline: pipeline(
      `winograd-weight-grad|${name}`,
      () => fillTemplate(shaderSource(`winograd_weight_grad_${name}`), {}),
    ),
    buffers: [from, to],
    uniforms: new Uint32Array(uniforms),
    workgroups: workgroups(uniforms[0]),
  });
}

/**
 * Records gw [OC, C/groups, K, K], the weight gradient of a stride-1 3x3
 * or 5x5 layer, into `out` by Winograd F(3x3, 2x2), the matmul run with
 * `tile`. Needs {@link winogradWeightFits}.
 *
 * @param x input, NCHW
 * @param gy gradient of the output, NCHW
 * @param out the weight gradient
 * @param s the layer's sizes
 * @param tile the matmul configuration (either family; no `method`)
 */
export function winogradBackwardWeight(
  x: GPUBuffer,
  gy: GPUBuffer,
  out: GPUBuffer,
  s: Conv2dShape,
  tile: GemmTiling,
): void {
  const g = forwardGeometry(s);
  const [tiles, tw, t] = tilesOf(g);
  const blocks = blocksOf(s.kernelHeight);
  const cg = s.inChannels / s.groups;
  const ocg = s.outChannels / s.groups;
  const kcg = blocks * blocks * cg;
  const v = transformInput(x, g, true);
  const u = allocate(16 * s.outChannels * t * 4, "winograd weight-grad gy");
  transform("gy", gy, u, [
    s.outChannels * t,
    tiles,
    tw,
    t,
    s.outChannels,
    s.outHeight,
    s.outWidth,
    0,
  ]);
  const m = allocate(16 * s.outChannels * kcg * 4, "winograd weight-grad sums");
  matmulWith(tile, u, v, undefined, m, {
    batch: 16 * s.groups,
    m: ocg,
    n: kcg,
    k: t,
    transA: false,
    transB: true,
    batchA: 16 * s.groups,
    batchB: 16 * s.groups,
  }, {});
  transform("output", m, out, [
    s.outChannels * kcg,
    kcg,
    cg,
    s.kernelHeight,
    blocks,
    0,
    0,
    0,
  ]);
  // safe right after recording: the commands of one encoder run in order
  [u, v, m].forEach(release);
}
