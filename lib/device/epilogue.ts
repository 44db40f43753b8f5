/**
 * The fused epilogue of the GEMM kernels (both families): what a store adds
 * to an accumulated output before writing it, so that a layer's bias and a
 * following ReLU cost no pass of their own.
 *
 * @module
 */

/** What follows the GEMM in the store: the bias (a separate argument), then `relu`. */
export interface GemmEpilogue {
  /** Apply max(0, x) to every output, after the bias. */
  relu?: boolean;
}

/**
 * The epilogue of one output: `value` plus `bias`, then ReLU.
 *
 * @param value WGSL of the accumulated float
 * @param bias WGSL of its bias, or undefined for none
 * @param relu whether to clamp at zero
 * @returns a WGSL f32 expression
 */
export function epilogue(
  value: string,
  bias: string | undefined,
  relu: boolean | undefined,
): string {
  const biased = bias === undefined ? value : `${value} + ${bias}`;
  return relu ? `max(${biased}, 0.0)` : biased;
}

const LANE_NAMES = ["x", "y", "z", "w"];

/**
 * The store of a GEMM tile both matmul kernels share: WGSL that writes
 * accumulator row i, vec4 column j (`value`) through the epilogue, the
 * bias indexed by the output column, skipping what lies outside M x N.
 *
 * @param hasBias whether a `bias` binding is added along the columns
 * @param relu whether a ReLU follows
 * @param index WGSL of the float index in `out` of tile row i, column `col`
 * @returns the store callback of a register block
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tileStore } from "./epilogue.ts";
 * const lines = tileStore(false, true, (i, col) => `(row0 + ${i}u) * N + ${col}`)(0, 0, "acc");
 * assert.equal(lines[1], "  if (col0 + 0u < N) { out[(row0 + 0u) * N + col0 + 0u] = max(acc.x, 0.0); }");
 * ```
 */
export function tileStore(
  hasBias: boolean,
  relu: boolean,
  index: (i: number, col: string) => string,
): (i: number, j: number, value: string) => string[] {
  return (i, j, value) => {
    const lines = [`if (row0 + ${i}u < M) {`];
    for (let q = 0; q < 4; q++) {
      const col = `col0 + ${4 * j + q}u`;
      const result = epilogue(
        `${value}.${LANE_NAMES[q]}`,
        hasBias ? `bias[${col}]` : undefined,
        relu,
      );
      lines.push(`  if (${col} < N) { out[${index(i, col)}] = ${result}; }`);
    }
    lines.push("}");
    return lines;
  };
}
