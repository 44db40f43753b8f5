/**
 * The GPU family of matmul: `shaders/gemm_tiled.wgsl` with plain matrix
 * gathers (any transposition, a batch of 1 broadcast) and the fused
 * epilogue, bias along the columns.
 *
 * @module
 */
import { type GemmEpilogue, tileStore } from "./epilogue.ts";
import {
  blockOf,
  type TiledConfig,
  tiledGemmShader,
  tiledParams,
} from "./gemm_tiled.ts";
import type { MatmulShape } from "./matmul.ts";
import { pipeline } from "./pipeline_cache.ts";
import { dispatchTiled } from "./tiled_dispatch.ts";

function shader(
  s: Required<MatmulShape>,
  tile: TiledConfig,
  hasBias: boolean,
  relu: boolean,
): string {
  return tiledGemmShader(tile, {
    loadA: s.transA
      ? "return a[z * p.a_stride + kk * p.m + row];"
      : "return a[z * p.a_stride + row * p.k + kk];",
    loadB: s.transB
      ? "return b[z * p.b_stride + col * p.k + kk];"
      : "return b[z * p.b_stride + kk * p.n + col];",
    aAlongK: !s.transA,
    bAlongK: s.transB,
    extra: hasBias ? ["bias"] : [],
    store: tileStore(
      hasBias,
      relu,
      (i, col) => `zb * p.out_stride + (row0 + ${i}u) * N + ${col}`,
    ),
  });
}

/**
 * Records C = A @ B (+ bias) (then ReLU) with the tiled GPU kernel.
 *
 * @param a A, float32 (layout per `s.transA`)
 * @param b B, float32
 * @param bias optional [n]
 * @param out C [batch, m, n]
 * @param s the full shape (non-empty output)
 * @param tile the configuration
 * @param post the epilogue
 */
export function tiledMatmul(
  a: GPUBuffer,
  b: GPUBuffer,
  bias: GPUBuffer | undefined,
  out: GPUBuffer,
  s: Required<MatmulShape>,
  tile: TiledConfig,
  post: GemmEpilogue,
): void {
  const hasBias = bias !== undefined;
  const relu = post.relu === true;
  const key =
    `matmul|tiled|${tile.rows}x${tile.cols}/${tile.groupX}x${tile.groupY}|${tile.sharedDepth}|${s.transA}|${s.transB}|${hasBias}|${relu}`;
  const compiled = pipeline(key, () => shader(s, tile, hasBias, relu));
  const { bm, bn } = blockOf(tile);
  const params = tiledParams({
    m: s.m,
    n: s.n,
    k: s.k,
    aStride: s.batchA === 1 ? 0 : s.m * s.k,
    bStride: s.batchB === 1 ? 0 : s.k * s.n,
    outStride: s.m * s.n,
    kSplit: s.k,
    splits: 1,
  });
  const buffers = [a, b, ...(bias ? [bias] : []), out];
  dispatchTiled(
    "matmul",
    compiled,
    buffers.map((buffer) => ({ kind: "buffer", buffer })),
    params,
    [Math.ceil(s.n / bn), Math.ceil(s.m / bm), s.batch],
  );
}
