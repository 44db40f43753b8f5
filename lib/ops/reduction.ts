/**
 * Reductions built on the sum and the max/min kernels: max and min (along
 * a dim with indices, or overall), argmax, argmin, mean and variance.
 *
 * @module
 */
import { record } from "../core/autograd.ts";
import { tidy } from "../core/scope.ts";
import { reduce } from "../device/reduce.ts";
import { Tensor } from "../tensor.ts";
import { normalizeDim, numelOf } from "../core/shape.ts";
import type { Reduction } from "../core/types.ts";
import { binary, fused, unary } from "./elementwise.ts";
import { reducedShape, reductionDims, sum } from "./sum.ts";
import { reshape } from "./layout.ts";

/** Max or min along one dim: values and (f32) indices; the gradient goes to the index. */
export function extreme(
  op: "max" | "min",
  x: Tensor,
  dim: number,
  options: Reduction = {},
): { values: Tensor; indices: Tensor } {
  const d = normalizeDim(dim, x.ndim, op);
  if (x.shape[d] === 0) {
    throw new RangeError(`Cannot take ${op} over dim ${dim} of size 0`);
  }
  const outer = numelOf(x.shape.slice(0, d));
  const inner = numelOf(x.shape.slice(d + 1));
  const { values, indices } = reduce(
    op,
    x.buffer,
    outer,
    x.shape[d],
    inner,
    true,
  );
  const shape = reducedShape(x.shape, [d], options.keepdim ?? false);
  const keptShape = reducedShape(x.shape, [d], true);
  const idx = Tensor.fromBuffer(indices!, shape);
  const y = record(op, [x], Tensor.fromBuffer(values, shape), (g, [is]) => {
    const gk = g.handle(keptShape);
    const ik = is.handle(keptShape);
    const gx = fused("extremeBackward", [gk, ik], x.shape, [
      inner,
      x.shape[d],
    ], `${op} backward`);
    gk.dispose();
    ik.dispose();
    return [gx];
  }, [idx]);
  return { values: y, indices: idx };
}

/** Max or min of all elements; the gradient is shared among ties, as PyTorch's. */
export function extremeAll(op: "max" | "min", x: Tensor): Tensor {
  if (x.numel === 0) {
    throw new RangeError(`Cannot take ${op} of an empty tensor`);
  }
  const y = Tensor.fromBuffer(reduce(op, x.buffer, 1, x.numel, 1).values, []);
  return record(op, [x], y, (g, [xs, ys]) => {
    const mask = fused("ties", [xs, ys], x.shape, [], `${op} backward`);
    const count = sum(mask);
    const gx = fused(
      "shareAmongTies",
      [mask, g, count],
      x.shape,
      [],
      `${op} backward`,
    );
    mask.dispose();
    count.dispose();
    return [gx];
  }, [x, y]);
}

/** Mean over dims (all when omitted). */
export function mean(
  x: Tensor,
  dim?: number | number[],
  options: Reduction = {},
): Tensor {
  const dims = reductionDims(x, dim, "mean");
  const count = numelOf(dims.map((d) => x.shape[d]));
  return tidy(() => binary("div", sum(x, dims, options), count));
}

/** Variance over dims; `correction` 1 (default) is the unbiased estimate, as PyTorch's. */
export function variance(
  x: Tensor,
  dim?: number | number[],
  options: Reduction & { correction?: number } = {},
): Tensor {
  const dims = reductionDims(x, dim, "var");
  const count = numelOf(dims.map((d) => x.shape[d]));
  const correction = options.correction ?? 1;
  return tidy(() => {
    const centred = binary("sub", x, mean(x, dims, { keepdim: true }));
    const squares = sum(unary("square", centred), dims, options);
    return binary("div", squares, Math.max(0, count - correction));
  });
}

/** Index of the largest value along `dim`, or of the flattened tensor. */
export function argmax(
  x: Tensor,
  dim?: number,
  options: Reduction = {},
): Tensor {
  if (dim === undefined) {
    return tidy(() => extreme("max", reshape(x, [x.numel]), 0).indices);
  }
  const { values, indices } = extreme("max", x, dim, options);
  values.dispose();
  return indices;
}

/** Index of the smallest value along `dim`, or of the flattened tensor. */
export function argmin(
  x: Tensor,
  dim?: number,
  options: Reduction = {},
): Tensor {
  if (dim === undefined) {
    return tidy(() => extreme("min", reshape(x, [x.numel]), 0).indices);
  }
  const { values, indices } = extreme("min", x, dim, options);
  values.dispose();
  return indices;
}

/** Standard deviation over dims (`correction` as {@link variance}). */
export function std(
  x: Tensor,
  dim?: number | number[],
  options: Reduction & { correction?: number } = {},
): Tensor {
  return tidy(() => unary("sqrt", variance(x, dim, options)));
}

/** Largest value overall, or `{ values, indices }` along `dim` (torch.max). */
export function max(x: Tensor): Tensor;
export function max(
  x: Tensor,
  dim: number,
  options?: Reduction,
): { values: Tensor; indices: Tensor };
export function max(
  x: Tensor,
  dim?: number,
  options?: Reduction,
): Tensor | { values: Tensor; indices: Tensor } {
  return dim === undefined
    ? extremeAll("max", x)
    : extreme("max", x, dim, options);
}

/** Smallest value overall, or `{ values, indices }` along `dim` (torch.min). */
export function min(x: Tensor): Tensor;
export function min(
  x: Tensor,
  dim: number,
  options?: Reduction,
): { values: Tensor; indices: Tensor };
export function min(
  x: Tensor,
  dim?: number,
  options?: Reduction,
): Tensor | { values: Tensor; indices: Tensor } {
  return dim === undefined
    ? extremeAll("min", x)
    : extreme("min", x, dim, options);
}
