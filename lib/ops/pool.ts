/**
 * Max and average pooling over NCHW (or CHW) input, floor mode, through
 * the pooling kernels; the sizes and their checks are
 * `core/window_shape.ts`'s.
 *
 * @module
 */
import { record } from "../core/autograd.ts";
import { poolBackward, poolForward, type PoolKind } from "../device/pool.ts";
import { Tensor } from "../tensor.ts";
import { type Pool2dOptions, pool2dShape } from "../core/window_shape.ts";

export type { Pool2dOptions } from "../core/window_shape.ts";

function pool2d(
  kind: PoolKind,
  input: Tensor,
  kernelSize: number | [number, number],
  options: Pool2dOptions,
): Tensor {
  const s = pool2dShape(`${kind}Pool2d`, input.shape, kernelSize, options);
  const { outHeight, outWidth } = s;
  const { y, indices } = poolForward(kind, input.buffer, s);
  const outShape = [...input.shape.slice(0, -2), outHeight, outWidth];
  const index = indices ? Tensor.fromBuffer(indices, outShape) : undefined;
  const result = record(
    `${kind}Pool2d`,
    [input],
    Tensor.fromBuffer(y, outShape),
    (g, [is]) => [
      Tensor.fromBuffer(poolBackward(kind, g.buffer, is?.buffer, s), [
        ...input.shape,
      ]),
    ],
    index ? [index] : [],
  );
  index?.dispose();
  return result;
}

/** Max pooling (PyTorch's F.max_pool2d, floor mode). */
export function maxPool2d(
  input: Tensor,
  kernelSize: number | [number, number],
  options: Pool2dOptions = {},
): Tensor {
  return pool2d("max", input, kernelSize, options);
}

/** Average pooling (padding counted in the divisor, PyTorch's default). */
export function avgPool2d(
  input: Tensor,
  kernelSize: number | [number, number],
  options: Pool2dOptions = {},
): Tensor {
  return pool2d("avg", input, kernelSize, options);
}
