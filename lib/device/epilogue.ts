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
