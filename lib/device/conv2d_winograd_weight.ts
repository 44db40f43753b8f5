/**
 * The weight gradient of the stride-1 3x3 layers (conv3-5 of the course
 * AlexNet) by Winograd F(3x3, TxT), T = 2 or 4: gw[oc, c, ky, kx] = sum
 * over samples and output pixels of gy[n, oc, oy, ox] *
 * xpad[n, c, oy + ky, ox + kx]. Cut gy into TxT tiles: each tile's share of
 * the 3x3 gw is the correlation of the AxA input patch under it (A = T + 2)
 * with the tile, A * A multiplications in the transformed domain instead of
 * 9 T^2. The sum over all tiles of all samples runs in the transformed
 * domain as one batched matmul, for each of the A * A elements xi:
 *   M[xi] [OCG, KCG] = U[xi] [OCG, T] @ V[xi] [KCG, T]^T   (k = T tiles),
 * per group, then one inverse transform per (oc, c). A 5x5 kernel (conv2)
 * is cut into 2x2 blocks of 3x3 as the forward does (conv2d_winograd.ts):
 * block (a, b) correlates the input moved by (3a, 3b), taps past the
 * kernel's edge dropped.
 *
 * The matrices come from F(TxT, 3x3) by the transposition principle
 * (`weightGradientOf` in winograd_transforms.ts): the forward's input
 * transform (`shaders/winograd_input.wgsl` with K_MAJOR, for this GEMM's
 * layout), then `shaders/winograd_weight_grad_{gy,output}.wgsl`.
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
  elementsOf,
  forwardGeometry,
  tilesOf,
  tileValues,
  transformInput,
  winogradFits,
  workgroups,
} from "./conv2d_winograd.ts";
import { dispatch } from "./recorder.ts";
import type { GemmTiling } from "./tuning.ts";
import {
  loadCode,
  transformCode,
  transformsOf,
  weightGradientOf,
  type WinogradTile,
} from "./winograd_transforms.ts";

/**
 * True when the weight gradient of `s` can run as Winograd F(3x3, TxT): a
 * square 3x3 or 5x5 kernel, stride 1, dilation 1, padding below the kernel
 * size, and each transformed operand fits one binding.
 *
 * @param s the layer's sizes
 * @param tile the side T of a tile of gy
 * @returns whether {@link winogradBackwardWeight} can run it
 */
export function winogradWeightFits(
  s: Conv2dShape,
  tile: WinogradTile,
): boolean {
  // the same operands as the forward's: V of x, gy's size of U, the weights' of M
  return winogradFits("forward", s, tile);
}

/** The WGSL arithmetic of the gy transform (U = A h A^T) or the output one (gw = G^T M G). */
function transformArithmetic(
  name: "gy" | "output",
  tile: WinogradTile,
): string {
  const f = weightGradientOf(tile);
  const alpha = transformsOf(tile).alpha;
  if (name === "gy") {
    return transformCode(
      f.gradient,
      (i, j) => `h[${i * tile + j}]`,
      (i, j, value) => `u[id + ${i * alpha + j}u * stride] = ${value};`,
      "ah",
    );
  }
  const loads = loadCode(
    alpha,
    (i, j) => `m[id + ${i * alpha + j}u * stride]`,
    "sum",
  );
  return loads + "\n" + transformCode(
    f.taps,
    (i, j) => `sum_${i}_${j}`,
    (i, j, value) => {
      const store = `gw[base + (ky0 + ${i}u) * p.k + kx0 + ${j}u] = ${value};`;
      const inside = [
        ...(i > 0 ? [`rows > ${i}u`] : []),
        ...(j > 0 ? [`columns > ${j}u`] : []),
      ];
      return inside.length === 0
        ? store
        : `if (${inside.join(" && ")}) { ${store} }`;
    },
    "gm",
  );
}

/** One of the two transforms over `count` invocations. */
function transform(
  name: "gy" | "output",
  tile: WinogradTile,
  from: GPUBuffer,
  to: GPUBuffer,
  uniforms: number[],
): void {
  dispatch({
    label: `winograd weight-gradient ${name}`,
    pipeline: pipeline(
      `winograd-weight-grad|${name}|${tile}`,
      () =>
        fillTemplate(shaderSource(`winograd_weight_grad_${name}`), {
          ...tileValues(tile),
          TRANSFORM: transformArithmetic(name, tile),
        }),
    ),
    buffers: [from, to],
    uniforms: new Uint32Array(uniforms),
    workgroups: workgroups(uniforms[0]),
  });
}

/**
 * Records gw [OC, C/groups, K, K], the weight gradient of a stride-1 3x3
 * or 5x5 layer, into `out` by Winograd F(3x3, TxT), the matmul run with
 * `gemm`. Needs {@link winogradWeightFits}.
 *
 * @param x input, NCHW
 * @param gy gradient of the output, NCHW
 * @param out the weight gradient
 * @param s the layer's sizes
 * @param gemm the matmul configuration (either family; no `method`)
 * @param tile the side T of a tile of gy
 */
export function winogradBackwardWeight(
  x: GPUBuffer,
  gy: GPUBuffer,
  out: GPUBuffer,
  s: Conv2dShape,
  gemm: GemmTiling,
  tile: WinogradTile,
): void {
  const g = forwardGeometry(s, tile);
  const [tiles, tw, t] = tilesOf(g);
  const blocks = blocksOf(s.kernelHeight);
  const cg = s.inChannels / s.groups;
  const ocg = s.outChannels / s.groups;
  const kcg = blocks * blocks * cg;
  const elements = elementsOf(tile);
  const v = transformInput(x, g, true);
  const u = allocate(
    elements * s.outChannels * t * 4,
    "winograd weight-grad gy",
  );
  transform("gy", tile, gy, u, [
    s.outChannels * t,
    tiles,
    tw,
    t,
    s.outChannels,
    s.outHeight,
    s.outWidth,
    0,
  ]);
  const m = allocate(
    elements * s.outChannels * kcg * 4,
    "winograd weight-grad sums",
  );
  matmulWith(gemm, u, v, undefined, m, {
    batch: elements * s.groups,
    m: ocg,
    n: kcg,
    k: t,
    transA: false,
    transB: true,
    batchA: elements * s.groups,
    batchB: elements * s.groups,
  }, {});
  transform("output", tile, m, out, [
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
