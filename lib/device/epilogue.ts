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
 * The epilogue of one output (or one vec4 of them): `value` plus `bias`,
 * then ReLU.
 *
 * @param value WGSL of the accumulated float (or vec4)
 * @param bias WGSL of its bias, or undefined for none
 * @param relu whether to clamp at zero
 * @param zero WGSL of zero in the value's type (`vec4<f32>(0.0)` for a vec4)
 * @returns a WGSL expression of the value's type
 */
export function epilogue(
  value: string,
  bias: string | undefined,
  relu: boolean | undefined,
  zero = "0.0",
): string {
  const biased = bias === undefined ? value : `${value} + ${bias}`;
  return relu ? `max(${biased}, ${zero})` : biased;
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

/**
 * `tileStore` for an output whose rows are a multiple of 4 floats long,
 * bound as `array<vec4<f32>>`: one vec4 store per 4 columns (on lavapipe a
 * store is a loop over the lanes per component either way, but the vec4
 * one computes one address and tests one edge).
 *
 * @param hasBias whether a `bias` binding is added along the columns
 * @param relu whether a ReLU follows
 * @param index WGSL of the float index in `out` of tile row i, column `col` (a multiple of 4)
 * @returns the store callback of a register block
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tileStoreVec4 } from "./epilogue.ts";
 * const lines = tileStoreVec4(false, true, (i, col) => `(row0 + ${i}u) * N + ${col}`)(0, 1, "acc");
 * assert.equal(lines[0], "if (row0 + 0u < M && col0 + 4u < N) { out[((row0 + 0u) * N + col0 + 4u) / 4u] = max(acc, vec4<f32>(0.0)); }");
 * ```
 */
export function tileStoreVec4(
  hasBias: boolean,
  relu: boolean,
  index: (i: number, col: string) => string,
): (i: number, j: number, value: string) => string[] {
  return (i, j, value) => {
    const col = `col0 + ${4 * j}u`;
    const bias = hasBias
      ? `vec4<f32>(bias[${col}], bias[${col} + 1u], bias[${col} + 2u], bias[${col} + 3u])`
      : undefined;
    const result = epilogue(value, bias, relu, "vec4<f32>(0.0)");
    return [
      `if (row0 + ${i}u < M && ${col} < N) { out[(${
        index(i, col)
      }) / 4u] = ${result}; }`,
    ];
  };
}
