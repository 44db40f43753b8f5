/**
 * The seam between the core and the ops: binds Tensor's op methods onto
 * the core class (`core/tensor.ts`), each a one-line call of the free
 * function of the same name in `ops/mod.ts`, so `a.matmul(b)` and
 * `matmul(a, b)` are one code path. This is the one place where the core
 * calls up into the ops, and the one import cycle of the library: the op
 * modules import `Tensor` from here, so the methods are bound whenever an
 * op can run.
 *
 * A new method is a line in {@link TensorMethods} and one in the table;
 * the compiler names whichever is missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor } from "./mod.ts";
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const loss = x.matmul(x.T).sum();
 * loss.backward();
 * assert.deepEqual(await x.grad!.toArray(), [[8, 12], [8, 12]]);
 * ```
 *
 * @module
 */
import { Tensor } from "./core/tensor.ts";
import { accumulateLeaf, backward as runBackward } from "./core/autograd.ts";
import { checkSameShape } from "./core/shape.ts";
import type { Reduction, Scalar, SliceSpec } from "./core/types.ts";
import * as F from "./ops/mod.ts";
import { full } from "./ops/elementwise.ts";

export { Tensor };

/** Options of `var()` and `std()`. */
type VarianceOptions = Reduction & { correction?: number };

/** Tensor's methods that run ops; bound below. */
export interface TensorMethods {
  /**
   * Accumulates d(this)/d(leaf) into `.grad` of every leaf that requires
   * it, then frees the graph. Needs `gradient` unless this is a scalar.
   */
  backward(gradient?: Tensor): void;
  /** Same data, new shape (one size may be -1). */
  reshape(...shape: (number | readonly number[])[]): Tensor;
  /** PyTorch's name for reshape on contiguous data. */
  view(...shape: (number | readonly number[])[]): Tensor;
  /** Merges dims startDim..endDim into one. */
  flatten(startDim?: number, endDim?: number): Tensor;
  /** Removes size-1 dims (all, or the one given). */
  squeeze(dim?: number): Tensor;
  /** Inserts a size-1 dim at `dim`. */
  unsqueeze(dim: number): Tensor;
  /** Reorders dims (a copy). */
  permute(...dims: (number | readonly number[])[]): Tensor;
  /** Swaps two dims (a copy). */
  transpose(dim0: number, dim1: number): Tensor;
  /** The transpose of a 2-D tensor. */
  readonly T: Tensor;
  /** Broadcasts size-1 dims to `shape` (a copy). */
  expand(...shape: (number | readonly number[])[]): Tensor;
  /**
   * NumPy-style indexing, one spec per leading dim: a number picks an index
   * (and drops the dim), `null` or `":"` keeps all, `[start, end, step]` or
   * `"start:end:step"` slices (negative values count from the end).
   */
  slice(...specs: SliceSpec[]): Tensor;
  /** `length` elements along `dim` from `start`. */
  narrow(dim: number, start: number, length: number): Tensor;
  /** The sub-tensor at `index` along `dim` (the dim dropped). */
  select(dim: number, index: number): Tensor;
  /** An independent copy (differentiable). */
  clone(): Tensor;
  /** this + other (broadcasting). */
  add(other: Tensor | Scalar): Tensor;
  /** this - other. */
  sub(other: Tensor | Scalar): Tensor;
  /** this * other. */
  mul(other: Tensor | Scalar): Tensor;
  /** this / other. */
  div(other: Tensor | Scalar): Tensor;
  /** this ** exponent. */
  pow(exponent: Tensor | Scalar): Tensor;
  /** Elementwise larger of this and other. */
  maximum(other: Tensor | Scalar): Tensor;
  /** Elementwise smaller of this and other. */
  minimum(other: Tensor | Scalar): Tensor;
  /** 1 where this == other, else 0. */
  eq(other: Tensor | Scalar): Tensor;
  /** 1 where this != other, else 0. */
  ne(other: Tensor | Scalar): Tensor;
  /** 1 where this < other, else 0. */
  lt(other: Tensor | Scalar): Tensor;
  /** 1 where this <= other, else 0. */
  le(other: Tensor | Scalar): Tensor;
  /** 1 where this > other, else 0. */
  gt(other: Tensor | Scalar): Tensor;
  /** 1 where this >= other, else 0. */
  ge(other: Tensor | Scalar): Tensor;
  /** -this. */
  neg(): Tensor;
  /** e ** this. */
  exp(): Tensor;
  /** Natural logarithm. */
  log(): Tensor;
  /** Square root. */
  sqrt(): Tensor;
  /** Absolute value. */
  abs(): Tensor;
  /** max(this, 0). */
  relu(): Tensor;
  /** 1 / (1 + e ** -this). */
  sigmoid(): Tensor;
  /** Hyperbolic tangent. */
  tanh(): Tensor;
  /** -1, 0 or 1. */
  sign(): Tensor;
  /** this * this. */
  square(): Tensor;
  /** Limits values to [min, max] (either may be omitted). */
  clamp(min?: number, max?: number): Tensor;
  /** Sum over `dim` (all dims when omitted). */
  sum(dim?: number | number[], options?: Reduction): Tensor;
  /** Mean over `dim` (all dims when omitted). */
  mean(dim?: number | number[], options?: Reduction): Tensor;
  /** Variance over `dim` (unbiased unless `correction: 0`). */
  var(dim?: number | number[], options?: VarianceOptions): Tensor;
  /** Standard deviation over `dim`. */
  std(dim?: number | number[], options?: VarianceOptions): Tensor;
  /** Largest value overall, or `{ values, indices }` along `dim`. */
  max(): Tensor;
  max(dim: number, options?: Reduction): { values: Tensor; indices: Tensor };
  /** Smallest value overall, or `{ values, indices }` along `dim`. */
  min(): Tensor;
  min(dim: number, options?: Reduction): { values: Tensor; indices: Tensor };
  /** Index of the largest value along `dim` (of the flattened tensor when omitted). */
  argmax(dim?: number, options?: Reduction): Tensor;
  /** Index of the smallest value along `dim`. */
  argmin(dim?: number, options?: Reduction): Tensor;
  /** Matrix product (2-D, batched, or with vectors, as PyTorch). */
  matmul(other: Tensor): Tensor;
  /** Softmax along `dim`. */
  softmax(dim: number): Tensor;
  /** Log of softmax along `dim`, computed stably. */
  logSoftmax(dim: number): Tensor;
}

declare module "./core/tensor.ts" {
  // Merges the methods into the class's type (declaration merging).
  interface Tensor extends TensorMethods {}
}

function backward(this: Tensor, gradient?: Tensor): void {
  if (!this.requiresGrad) {
    throw new Error(
      "Cannot backward() from a tensor that does not require grad: no input had requiresGrad: true",
    );
  }
  if (!gradient && this.numel !== 1) {
    throw new TypeError(
      `Cannot backward() from a tensor of shape [${this.shape}] without a gradient: pass one of the same shape, or reduce to a scalar first`,
    );
  }
  if (gradient) checkSameShape("backward", this.shape, gradient.shape);
  const seed = gradient ?? full(this.shape, 1);
  // A leaf's gradient is the seed itself.
  if (!this.gradFn) accumulateLeaf(this, seed.handle());
  else runBackward(this, seed);
  if (!gradient) seed.dispose();
}

type Extreme = TensorMethods["max"];

/** The table: method name -> implementation, `this` being the tensor. */
const methods: ThisType<Tensor> & TensorMethods = {
  backward,
  reshape(...shape) {
    return F.reshape(this, shape.flat());
  },
  view(...shape) {
    return F.reshape(this, shape.flat());
  },
  flatten(startDim = 0, endDim = -1) {
    return F.flatten(this, startDim, endDim);
  },
  squeeze(dim) {
    return F.squeeze(this, dim);
  },
  unsqueeze(dim) {
    return F.unsqueeze(this, dim);
  },
  permute(...dims) {
    return F.permute(this, dims.flat());
  },
  transpose(dim0, dim1) {
    return F.transpose(this, dim0, dim1);
  },
  get T() {
    return F.transpose(this, 0, 1);
  },
  expand(...shape) {
    return F.expand(this, shape.flat());
  },
  slice(...specs) {
    return F.slice(this, specs);
  },
  narrow(dim, start, length) {
    return F.narrow(this, dim, start, length);
  },
  select(dim, index) {
    return F.select(this, dim, index);
  },
  clone() {
    return F.clone(this);
  },
  add(other) {
    return F.add(this, other);
  },
  sub(other) {
    return F.sub(this, other);
  },
  mul(other) {
    return F.mul(this, other);
  },
  div(other) {
    return F.div(this, other);
  },
  pow(exponent) {
    return F.pow(this, exponent);
  },
  maximum(other) {
    return F.maximum(this, other);
  },
  minimum(other) {
    return F.minimum(this, other);
  },
  eq(other) {
    return F.eq(this, other);
  },
  ne(other) {
    return F.ne(this, other);
  },
  lt(other) {
    return F.lt(this, other);
  },
  le(other) {
    return F.le(this, other);
  },
  gt(other) {
    return F.gt(this, other);
  },
  ge(other) {
    return F.ge(this, other);
  },
  neg() {
    return F.neg(this);
  },
  exp() {
    return F.exp(this);
  },
  log() {
    return F.log(this);
  },
  sqrt() {
    return F.sqrt(this);
  },
  abs() {
    return F.abs(this);
  },
  relu() {
    return F.relu(this);
  },
  sigmoid() {
    return F.sigmoid(this);
  },
  tanh() {
    return F.tanh(this);
  },
  sign() {
    return F.sign(this);
  },
  square() {
    return F.square(this);
  },
  clamp(min, max) {
    return F.clamp(this, min, max);
  },
  sum(dim, options) {
    return F.sum(this, dim, options);
  },
  mean(dim, options) {
    return F.mean(this, dim, options);
  },
  var(dim, options) {
    return F.variance(this, dim, options);
  },
  std(dim, options) {
    return F.std(this, dim, options);
  },
  max: function (this: Tensor, dim?: number, options?: Reduction) {
    return dim === undefined ? F.max(this) : F.max(this, dim, options);
  } as Extreme,
  min: function (this: Tensor, dim?: number, options?: Reduction) {
    return dim === undefined ? F.min(this) : F.min(this, dim, options);
  } as Extreme,
  argmax(dim, options) {
    return F.argmax(this, dim, options);
  },
  argmin(dim, options) {
    return F.argmin(this, dim, options);
  },
  matmul(other) {
    return F.matmul(this, other);
  },
  softmax(dim) {
    return F.softmax(this, dim);
  },
  logSoftmax(dim) {
    return F.logSoftmax(this, dim);
  },
};

// Bound as class methods are: on the prototype, not enumerable (the getter
// `T` stays a getter).
for (
  const [name, descriptor] of Object.entries(
    Object.getOwnPropertyDescriptors(methods),
  )
) {
  Object.defineProperty(Tensor.prototype, name, {
    ...descriptor,
    enumerable: false,
  });
}
