/**
 * 2-D convolution (cross-correlation, as PyTorch's), NCHW, through the
 * conv2d kernels: one forward GEMM and the two backward GEMMs. The sizes
 * and their checks are `core/window_shape.ts`'s.
 *
 * @module
 */
import { record } from "../core/autograd.ts";
import {
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dForward,
} from "../device/conv2d.ts";
import { Tensor } from "../tensor.ts";
import { showShape } from "../core/shape.ts";
import { type Conv2dOptions, conv2dShape } from "../core/window_shape.ts";
import { sum } from "./sum.ts";

export type { Conv2dOptions } from "../core/window_shape.ts";

/** 2-D convolution (cross-correlation, as PyTorch's), NCHW. */
export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor,
  options: Conv2dOptions = {},
): Tensor {
  const s = conv2dShape(input.shape, weight.shape, options);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== s.outChannels)) {
    throw new TypeError(
      `Cannot conv2d with a bias of shape ${
        showShape(bias.shape)
      }: need [${s.outChannels}]`,
    );
  }
  const y = Tensor.fromBuffer(
    conv2dForward(input.buffer, weight.buffer, bias?.buffer, s),
    [s.batch, s.outChannels, s.outHeight, s.outWidth],
  );
  const inputs = bias ? [input, weight, bias] : [input, weight];
  return record("conv2d", inputs, y, (g, [xs, ws]) => [
    input.requiresGrad
      ? Tensor.fromBuffer(conv2dBackwardInput(g.buffer, ws.buffer, s), [
        ...input.shape,
      ])
      : null,
    weight.requiresGrad
      ? Tensor.fromBuffer(conv2dBackwardWeight(xs.buffer, g.buffer, s), [
        ...weight.shape,
      ])
      : null,
    bias?.requiresGrad ? sum(g, [0, 2, 3]) : null,
  ], [input, weight]);
}
