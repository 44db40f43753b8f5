/**
 * The Tensor: float32 data in a GPU buffer, contiguous and row-major, with a
 * shape, and the autograd fields (`requiresGrad`, `grad`, `gradFn`).
 *
 * Methods are thin: each calls the function of the same name in
 * `functions.ts` (differentiable primitives) or `functional.ts` (what is
 * built from them), so `a.matmul(b)` and `matmul(a, b)` are one code path.
 *
 * @module
 */
import {
  accumulateLeaf,
  backward as runBackward,
  type Node,
} from "./autograd.ts";
import { readBuffer } from "./device/recorder.ts";
import { Storage } from "./storage.ts";
import { track } from "./scope.ts";
import * as F from "./functions.ts";
import * as N from "./functional.ts";
import * as NN from "./nn_ops.ts";
import { formatHtml, formatText } from "./format.ts";
import { DISPLAY } from "./display.ts";
import type { Reduction, Scalar, SliceSpec, TensorLike } from "./types.ts";

// Tensors dropped without dispose() give their data back when collected.
const collected = new FinalizationRegistry<Storage>((storage) =>
  storage.release()
);

/** A float32 tensor on the GPU. */
export class Tensor {
  #storage: Storage;
  #disposed = false;
  /** Sizes of the dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Whether gradients flow to (a leaf) or through (a result) this tensor. */
  requiresGrad = false;
  /** The accumulated gradient of a leaf, after `backward()`. */
  grad: Tensor | null = null;
  /** The op that made this tensor, when recorded for autograd. */
  gradFn: Node | null = null;

  /** Wraps a storage reference (taking it over); use the creation functions instead. */
  constructor(storage: Storage, shape: readonly number[]) {
    this.#storage = storage;
    this.shape = Object.freeze([...shape]);
    collected.register(this, storage, this);
    track(this);
  }

  /** A new tensor owning `buffer`, which holds `shape`'s elements. */
  static fromBuffer(buffer: GPUBuffer, shape: readonly number[]): Tensor {
    return new Tensor(
      new Storage(buffer, shape.reduce((p, s) => p * s, 1)),
      shape,
    );
  }

  /** The GPU buffer (for ops); throws after `dispose()`. */
  get buffer(): GPUBuffer {
    if (this.#disposed) {
      throw new Error(`Cannot use a disposed tensor of shape [${this.shape}]`);
    }
    return this.#storage.buffer;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get numel(): number {
    return this.shape.reduce((p, s) => p * s, 1);
  }

  /** Whether `dispose()` was called. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Size of one dimension (negative counts from the end), or the whole shape. */
  size(dim?: number): number | readonly number[] {
    if (dim === undefined) return this.shape;
    return this.shape[F.normalizeDim(dim, this.ndim, "size")];
  }

  /** Another tensor object sharing this one's data (no autograd history). */
  handle(shape: readonly number[] = this.shape): Tensor {
    if (this.#disposed) {
      throw new Error(`Cannot use a disposed tensor of shape [${this.shape}]`);
    }
    return new Tensor(this.#storage.retain(), shape);
  }

  /** Frees this tensor's hold on its data; safe to call twice. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    collected.unregister(this);
    this.#storage.release();
  }

  /** For `using t = ...`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Replaces this tensor's data with `source`'s (same shape), keeping its identity; no autograd. */
  assign(source: Tensor): this {
    F.checkSameShape("assign", this, source);
    F.copyInto(source, this);
    return this;
  }

  // ---- reading back (the only async part of the API)

  /** The values, row-major. */
  async data(): Promise<Float32Array> {
    const bytes = await readBuffer(this.buffer, this.numel * 4);
    return new Float32Array(bytes);
  }

  /** The values as nested arrays of numbers. */
  async toArray(): Promise<TensorLike> {
    const values = Array.from(await this.data());
    const nest = (offset: number, dim: number): TensorLike => {
      if (dim === this.ndim) return values[offset];
      const stride = this.shape.slice(dim + 1).reduce((p, s) => p * s, 1);
      return Array.from(
        { length: this.shape[dim] },
        (_, i) => nest(offset + i * stride, dim + 1),
      ) as TensorLike;
    };
    return nest(0, 0);
  }

  /** The value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.numel !== 1) {
      throw new TypeError(
        `Cannot take item() of a tensor of shape [${this.shape}]: it has ${this.numel} elements, not 1`,
      );
    }
    return (await this.data())[0];
  }

  // ---- autograd

  /**
   * Accumulates d(this)/d(leaf) into `.grad` of every leaf that requires
   * it, then frees the graph. Needs `gradient` unless this is a scalar.
   */
  backward(gradient?: Tensor): void {
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
    if (gradient) F.checkSameShape("backward", this, gradient);
    const seed = gradient ?? F.full(this.shape, 1);
    if (!this.gradFn) {
      // A leaf: its gradient is the seed itself.
      accumulateLeaf(this, seed.handle());
    } else {
      runBackward(this, seed);
    }
    if (!gradient) seed.dispose();
  }

  /** A tensor sharing this one's data, cut from the graph. */
  detach(): Tensor {
    return this.handle();
  }

  /** Sets `requiresGrad` (on a leaf) and returns this. */
  requiresGrad_(value = true): this {
    if (this.gradFn && !value) {
      throw new Error(
        "Cannot set requiresGrad = false on a non-leaf tensor: detach() it",
      );
    }
    this.requiresGrad = value;
    return this;
  }

  // ---- shape

  /** Same data, new shape (one size may be -1). */
  reshape(...shape: (number | readonly number[])[]): Tensor {
    return F.reshape(this, shape.flat());
  }

  /** PyTorch's name for reshape on contiguous data. */
  view(...shape: (number | readonly number[])[]): Tensor {
    return F.reshape(this, shape.flat());
  }

  /** Merges dims startDim..endDim into one. */
  flatten(startDim = 0, endDim = -1): Tensor {
    return N.flatten(this, startDim, endDim);
  }

  /** Removes size-1 dims (all, or the one given). */
  squeeze(dim?: number): Tensor {
    return N.squeeze(this, dim);
  }

  /** Inserts a size-1 dim at `dim`. */
  unsqueeze(dim: number): Tensor {
    return N.unsqueeze(this, dim);
  }

  /** Reorders dims (a copy). */
  permute(...dims: (number | readonly number[])[]): Tensor {
    return F.permute(this, dims.flat());
  }

  /** Swaps two dims (a copy). */
  transpose(dim0: number, dim1: number): Tensor {
    return N.transpose(this, dim0, dim1);
  }

  /** The transpose of a 2-D tensor. */
  get T(): Tensor {
    return N.transpose(this, 0, 1);
  }

  /** Tensors here are always contiguous: returns this. */
  contiguous(): Tensor {
    return this;
  }

  /** Broadcasts size-1 dims to `shape` (a copy). */
  expand(...shape: (number | readonly number[])[]): Tensor {
    return F.expand(this, shape.flat());
  }

  /**
   * NumPy-style indexing, one spec per leading dim: a number picks an index
   * (and drops the dim), `null` or `":"` keeps all, `[start, end, step]` or
   * `"start:end:step"` slices (negative values count from the end).
   */
  slice(...specs: SliceSpec[]): Tensor {
    return F.slice(this, specs);
  }

  /** `length` elements along `dim` from `start`. */
  narrow(dim: number, start: number, length: number): Tensor {
    return N.narrow(this, dim, start, length);
  }

  /** The sub-tensor at `index` along `dim` (the dim dropped). */
  select(dim: number, index: number): Tensor {
    return N.select(this, dim, index);
  }

  /** An independent copy (differentiable). */
  clone(): Tensor {
    return F.clone(this);
  }

  // ---- elementwise

  /** this + other (broadcasting). */
  add(other: Tensor | Scalar): Tensor {
    return F.binary("add", this, other);
  }
  /** this - other. */
  sub(other: Tensor | Scalar): Tensor {
    return F.binary("sub", this, other);
  }
  /** this * other. */
  mul(other: Tensor | Scalar): Tensor {
    return F.binary("mul", this, other);
  }
  /** this / other. */
  div(other: Tensor | Scalar): Tensor {
    return F.binary("div", this, other);
  }
  /** this ** exponent. */
  pow(exponent: Tensor | Scalar): Tensor {
    return F.binary("pow", this, exponent);
  }
  /** Elementwise larger of this and other. */
  maximum(other: Tensor | Scalar): Tensor {
    return F.binary("maximum", this, other);
  }
  /** Elementwise smaller of this and other. */
  minimum(other: Tensor | Scalar): Tensor {
    return F.binary("minimum", this, other);
  }
  /** 1 where this == other, else 0. */
  eq(other: Tensor | Scalar): Tensor {
    return F.binary("eq", this, other);
  }
  /** 1 where this != other, else 0. */
  ne(other: Tensor | Scalar): Tensor {
    return F.binary("ne", this, other);
  }
  /** 1 where this < other, else 0. */
  lt(other: Tensor | Scalar): Tensor {
    return F.binary("lt", this, other);
  }
  /** 1 where this <= other, else 0. */
  le(other: Tensor | Scalar): Tensor {
    return F.binary("le", this, other);
  }
  /** 1 where this > other, else 0. */
  gt(other: Tensor | Scalar): Tensor {
    return F.binary("gt", this, other);
  }
  /** 1 where this >= other, else 0. */
  ge(other: Tensor | Scalar): Tensor {
    return F.binary("ge", this, other);
  }
  /** -this. */
  neg(): Tensor {
    return F.unary("neg", this);
  }
  /** e ** this. */
  exp(): Tensor {
    return F.unary("exp", this);
  }
  /** Natural logarithm. */
  log(): Tensor {
    return F.unary("log", this);
  }
  /** Square root. */
  sqrt(): Tensor {
    return F.unary("sqrt", this);
  }
  /** Absolute value. */
  abs(): Tensor {
    return F.unary("abs", this);
  }
  /** max(this, 0). */
  relu(): Tensor {
    return F.unary("relu", this);
  }
  /** 1 / (1 + e ** -this). */
  sigmoid(): Tensor {
    return F.unary("sigmoid", this);
  }
  /** Hyperbolic tangent. */
  tanh(): Tensor {
    return F.unary("tanh", this);
  }
  /** -1, 0 or 1. */
  sign(): Tensor {
    return F.unary("sign", this);
  }
  /** this * this. */
  square(): Tensor {
    return F.unary("square", this);
  }
  /** Limits values to [min, max] (either may be omitted). */
  clamp(min?: number, max?: number): Tensor {
    return F.clamp(this, min, max);
  }

  // ---- reductions

  /** Sum over `dim` (all dims when omitted). */
  sum(dim?: number | number[], options?: Reduction): Tensor {
    return F.sum(this, dim, options);
  }
  /** Mean over `dim` (all dims when omitted). */
  mean(dim?: number | number[], options?: Reduction): Tensor {
    return N.mean(this, dim, options);
  }
  /** Variance over `dim` (unbiased unless `correction: 0`). */
  var(
    dim?: number | number[],
    options?: Reduction & { correction?: number },
  ): Tensor {
    return N.variance(this, dim, options);
  }
  /** Standard deviation over `dim`. */
  std(
    dim?: number | number[],
    options?: Reduction & { correction?: number },
  ): Tensor {
    return N.variance(this, dim, options).sqrt();
  }
  /** Largest value overall, or `{ values, indices }` along `dim`. */
  max(): Tensor;
  max(dim: number, options?: Reduction): { values: Tensor; indices: Tensor };
  max(
    dim?: number,
    options?: Reduction,
  ): Tensor | { values: Tensor; indices: Tensor } {
    return dim === undefined
      ? F.extremeAll("max", this)
      : F.extreme("max", this, dim, options);
  }
  /** Smallest value overall, or `{ values, indices }` along `dim`. */
  min(): Tensor;
  min(dim: number, options?: Reduction): { values: Tensor; indices: Tensor };
  min(
    dim?: number,
    options?: Reduction,
  ): Tensor | { values: Tensor; indices: Tensor } {
    return dim === undefined
      ? F.extremeAll("min", this)
      : F.extreme("min", this, dim, options);
  }
  /** Index of the largest value along `dim` (of the flattened tensor when omitted). */
  argmax(dim?: number, options?: Reduction): Tensor {
    return N.argmax(this, dim, options);
  }
  /** Index of the smallest value along `dim`. */
  argmin(dim?: number, options?: Reduction): Tensor {
    return N.argmin(this, dim, options);
  }

  // ---- neural-network ops

  /** Matrix product (2-D, batched, or with vectors, as PyTorch). */
  matmul(other: Tensor): Tensor {
    return NN.matmul(this, other);
  }
  /** Softmax along `dim`. */
  softmax(dim: number): Tensor {
    return N.softmax(this, dim);
  }
  /** Log of softmax along `dim`, computed stably. */
  logSoftmax(dim: number): Tensor {
    return N.logSoftmax(this, dim);
  }

  // ---- text and notebook display

  /** A one-line summary (values need `await`: see `display`). */
  toString(): string {
    return `Tensor(shape=[${this.shape.join(", ")}]${
      this.requiresGrad ? ", requiresGrad=true" : ""
    }${this.gradFn ? `, gradFn=${this.gradFn.name}` : ""})`;
  }

  /** Deno.inspect / console.log show the summary. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  /** The text form with values, PyTorch-like. */
  async format(): Promise<string> {
    return formatText(
      this.shape,
      await this.data(),
      this.requiresGrad,
      this.gradFn?.name,
    );
  }

  /** Jupyter's display protocol: text with values, and HTML (a table for small 2-D tensors). */
  async [DISPLAY](): Promise<Record<string, string>> {
    const values = await this.data();
    return {
      "text/plain": formatText(
        this.shape,
        values,
        this.requiresGrad,
        this.gradFn?.name,
      ),
      "text/html": formatHtml(this.shape, values, this.requiresGrad),
    };
  }
}
