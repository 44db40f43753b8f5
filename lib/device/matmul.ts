/**
 * Batched matmul C [batch, m, n] = A @ B (+ bias) (then ReLU), through one
 * of two kernel families: the register block of matmul_register.ts
 * (lavapipe) or the workgroup-memory tiles of matmul_tiled.ts (GPUs). The
 * autotuner (tuner.ts) picks the configuration per shape class; without a
 * tuned choice it is the adapter's row of tuning.ts.
 *
 * @module
 */
import { allocate, release } from "./buffer_pool.ts";
import type { GemmEpilogue } from "./epilogue.ts";
import { registerMatmul } from "./matmul_register.ts";
import { tiledMatmul } from "./matmul_tiled.ts";
import { mayWrite } from "./recorder.ts";
import { bucket, type Family, tuned } from "./tuner.ts";
import { type GemmTiling, isTiled, tuning } from "./tuning.ts";
import { randomBuffer } from "./tuner_inputs.ts";

export { releaseStagingTextures } from "./texture_staging.ts";

/** Shape of a (batched) matmul C [batch, m, n] = A @ B. */
export interface MatmulShape {
  /** Matrices in the batch (C has this many). */
  batch: number;
  /** Rows of A and C. */
  m: number;
  /** Columns of B and C. */
  n: number;
  /** Columns of A, rows of B: the summed dimension (0 gives zeros, plus the bias). */
  k: number;
  /** A stored [batchA, k, m] instead of [batchA, m, k]. */
  transA?: boolean;
  /** B stored [batchB, n, k] instead of [batchB, k, n]. */
  transB?: boolean;
  /** 1 (broadcast over the batch) or `batch`; default `batch`. */
  batchA?: number;
  /** 1 (broadcast over the batch) or `batch`; default `batch`. */
  batchB?: number;
}

function checkShape(s: Required<MatmulShape>): void {
  for (const name of ["batch", "m", "n", "k"] as const) {
    if (!Number.isInteger(s[name]) || s[name] < 0) {
      throw new RangeError(
        `Cannot matmul: ${name} must be a non-negative integer, got ${s[name]}`,
      );
    }
  }
  for (const name of ["batchA", "batchB"] as const) {
    if (s[name] !== 1 && s[name] !== s.batch) {
      throw new RangeError(
        `Cannot matmul: ${name} must be 1 or the batch ${s.batch}, got ${
          s[name]
        }`,
      );
    }
  }
}

/** The shape with its defaults filled in. */
function complete(shape: MatmulShape): Required<MatmulShape> {
  return {
    transA: false,
    transB: false,
    batchA: shape.batch,
    batchB: shape.batch,
    ...shape,
  };
}

/**
 * Records C = A @ B into `out` with one configuration of either family.
 *
 * @param config a register block, or a tiled configuration (`sharedDepth` set)
 */
export function matmulWith(
  config: GemmTiling,
  a: GPUBuffer,
  b: GPUBuffer,
  bias: GPUBuffer | undefined,
  out: GPUBuffer,
  s: Required<MatmulShape>,
  post: GemmEpilogue,
): void {
  if (isTiled(config)) tiledMatmul(a, b, bias, out, s, config, post);
  else registerMatmul(a, b, bias, out, s, config, tuning.source, post);
}

/**
 * Which entry of the tuning serves a matmul of `m` output rows: few rows
 * (a Linear layer at small batch) want a block that spans them all.
 */
export function rowClass(m: number): "matmulThin" | "matmulFew" | "matmul" {
  return m <= 4 ? "matmulThin" : m <= 16 ? "matmulFew" : "matmul";
}

/** The matmul family as the tuner sees it. */
export const MATMUL_FAMILY: Family<Required<MatmulShape>> = {
  name: "matmul",
  shapeClass: (s) =>
    `${bucket(s.m)}x${bucket(s.n)}x${bucket(s.k)}|b${bucket(s.batch)}|${
      s.transA ? "t" : "n"
    }${s.transB ? "t" : "n"}|k${s.k % 4 === 0 ? 4 : 1}`,
  candidates: (s) => tuning.candidates[rowClass(s.m)],
  fallback: (s) => tuning[rowClass(s.m)],
  flops: (s) => 2 * s.batch * s.m * s.n * s.k,
  prepare: (s) => {
    const a = randomBuffer(s.batchA * s.m * s.k);
    const b = randomBuffer(s.batchB * s.k * s.n);
    const out = allocate(s.batch * s.m * s.n * 4, "matmul tuning");
    return {
      run: (config) => {
        // staged afresh each run, as when the weights change every step
        [a, b].forEach(mayWrite);
        matmulWith(config, a, b, undefined, out, s, {});
      },
      dispose: () => [a, b, out].forEach(release),
    };
  },
};

/**
 * Returns a new pooled buffer holding C [batch, m, n] = A @ B, plus
 * `bias[n]` broadcast over the rows when given, then max(0, .) when
 * `post.relu`.
 *
 * @param a A as [batchA, m, k] (or [batchA, k, m] with `transA`), float32
 * @param b B as [batchB, k, n] (or [batchB, n, k] with `transB`), float32
 * @param shape sizes, transposition and batch broadcasting
 * @param bias optional [n] added to every row
 * @param post the fused epilogue: `{ relu: true }` applies a ReLU in the store
 * @returns a buffer from `allocate()` of batch * m * n floats
 * @throws {RangeError} when a size is not a non-negative integer, a batch neither 1 nor `batch`, or an operand larger than a binding
 */
export function matmul(
  a: GPUBuffer,
  b: GPUBuffer,
  shape: MatmulShape,
  bias?: GPUBuffer,
  post: GemmEpilogue = {},
): GPUBuffer {
  const s = complete(shape);
  checkShape(s);
  const out = allocate(s.batch * s.m * s.n * 4, "matmul");
  if (s.batch * s.m * s.n === 0) return out;
  matmulWith(tuned(MATMUL_FAMILY, s), a, b, bias, out, s, post);
  return out;
}
