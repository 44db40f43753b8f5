/**
 * The weight gradient of the stride-1 3x3 and 5x5 layers (conv2-5 of the
 * course AlexNet) by Winograd F(KxK, TxT), T = 2 or 4: gw[oc, c, ky, kx] =
 * sum over samples and output pixels of gy[n, oc, oy, ox] *
 * xpad[n, c, oy + ky, ox + kx]. Cut gy into TxT tiles: each tile's share of
 * the K x K gw is the correlation of the AxA input patch under it
 * (A = T + K - 1) with the tile, A * A multiplications in the transformed
 * domain instead of K^2 T^2. The sum over all tiles of all samples runs in
 * the transformed domain as one batched matmul, for each of the A * A
 * elements xi:
 *   M[xi] [OCG, CG] = U[xi] [OCG, T] @ V[xi] [T, CG]   (k = T tiles),
 * per group, then one inverse transform per (oc, c).
 *
 * The matrices come from F(TxT, KxK) by the transposition principle
 * (`weightGradientOf` in winograd_transforms.ts): the forward's input
 * transform (`shaders/winograd_input.wgsl`), then
 * `shaders/winograd_weight_grad_{gy,output}.wgsl`. V is the forward's own,
 * kept for this product where the forward ran Winograd with the same tile
 * (`InputPatches` in conv2d_winograd.ts), else made here. Read as B with
 * its columns (channels) contiguous, the GEMM ran as fast as with V laid
 * out tiles-contiguous (transposed B), which the forward's GEMM cannot read
 * (session 11).
 *
 * @module
 */
import { allocate, release } from "./buffer_pool.ts";
import type { Conv2dShape } from "./conv2d.ts";
import { matmulWith } from "./matmul.ts";
import { fillTemplate, pipeline, shaderSource } from "./pipeline_cache.ts";
import {
  elementsOf,
  forwardGeometry,
  type InputPatches,
  tilesOf,
  tileValues,
  transformInput,
  transformsFor,
  winogradFits,
  workgroups,
} from "./conv2d_winograd.ts";
import { dispatch } from "./recorder.ts";
import type { GemmTiling } from "./tuning.ts";
import {
  loadCode,
  transformCode,
  type Transforms,
  weightGradientOf,
  type WinogradTile,
} from "./winograd_transforms.ts";

/**
 * True when the weight gradient of `s` can run as Winograd F(KxK, TxT): a
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
  transforms: Transforms,
): string {
  const { tile, taps, alpha } = transforms;
  const f = weightGradientOf(tile, taps);
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
    (i, j, value) => `gw[base + ${i * taps + j}u] = ${value};`,
    "gm",
  );
}

/** One of the two transforms over `count` invocations. */
function transform(
  name: "gy" | "output",
  f: Transforms,
  from: GPUBuffer,
  to: GPUBuffer,
  uniforms: number[],
): void {
  dispatch({
    label: `winograd weight-gradient ${name}`,
    pipeline: pipeline(
      `winograd-weight-grad|${name}|${f.tile}|${f.taps}`,
      () =>
        fillTemplate(shaderSource(`winograd_weight_grad_${name}`), {
          ...tileValues(f),
          TRANSFORM: transformArithmetic(name, f),
        }),
    ),
    buffers: [from, to],
    uniforms: new Uint32Array(uniforms),
    workgroups: workgroups(uniforms[0]),
  });
}

/**
 * Records gw [OC, C/groups, K, K], the weight gradient of a stride-1 3x3
 * or 5x5 layer, into `out` by Winograd F(KxK, TxT), the matmul run with
 * `gemm`. Needs {@link winogradWeightFits}.
 *
 * @param x input, NCHW
 * @param gy gradient of the output, NCHW
 * @param out the weight gradient
 * @param s the layer's sizes
 * @param gemm the matmul configuration (either family; no `method`)
 * @param tile the side T of a tile of gy
 * @param patches the forward's transformed x, read where made for `tile`
 *   (and never released here)
 */
export function winogradBackwardWeight(
  x: GPUBuffer,
  gy: GPUBuffer,
  out: GPUBuffer,
  s: Conv2dShape,
  gemm: GemmTiling,
  tile: WinogradTile,
  patches?: InputPatches,
): void {
  const g = forwardGeometry(s, tile);
  const [tiles, tw, t] = tilesOf(g);
  const f = transformsFor(g);
  const cg = s.inChannels / s.groups;
  const ocg = s.outChannels / s.groups;
  const elements = elementsOf(g);
  const reused = patches?.tile === tile;
  const v = reused ? patches.buffer : transformInput(x, g);
  const u = allocate(
    elements * s.outChannels * t * 4,
    "winograd weight-grad gy",
  );
  transform("gy", f, gy, u, [
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
    elements * s.outChannels * cg * 4,
    "winograd weight-grad sums",
  );
  matmulWith(gemm, u, v, undefined, m, {
    batch: elements * s.groups,
    m: ocg,
    n: cg,
    k: t,
    transA: false,
    transB: false,
    batchA: elements * s.groups,
    batchB: elements * s.groups,
  }, {});
  transform("output", f, m, out, [s.outChannels * cg, 0, 0, 0]);
  // safe right after recording: the commands of one encoder run in order
  [u, m].forEach(release);
  if (!reused) release(v);
}
