/**
 * Making tensors: from data, filled, ranges, identity, and random draws
 * from the seeded counter-based GPU generator.
 *
 * @module
 */
import { allocate } from "../device/buffer_pool.ts";
import { upload } from "../device/recorder.ts";
import { random, setSeed } from "../device/random.ts";
import { Tensor } from "../tensor.ts";
import { checkShape, numelOf, showShape } from "../core/shape.ts";
import type { TensorLike } from "../core/types.ts";
import { full as fill, fused } from "./elementwise.ts";

/** Options of the creation functions. */
export interface CreationOptions {
  /** Make a leaf that collects gradients. */
  requiresGrad?: boolean;
}

function leaf(t: Tensor, options: CreationOptions): Tensor {
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

/** A tensor holding `values` (copied) in `shape`. */
export function tensorFromData(
  values: Float32Array,
  shape: readonly number[],
): Tensor {
  const buffer = allocate(values.length * 4, "tensor");
  upload(buffer, values);
  return Tensor.fromBuffer(buffer, shape);
}

function flattenNested(
  data: TensorLike,
  shape: number[],
  out: number[],
  depth: number,
): void {
  if (typeof data === "number" || typeof data === "boolean") {
    if (depth !== shape.length) {
      throw new TypeError(
        `Cannot make a tensor from ragged nested arrays: a number at depth ${depth}`,
      );
    }
    out.push(Number(data));
    return;
  }
  if (!Array.isArray(data)) {
    throw new TypeError(
      `Cannot make a tensor from ${typeof data}: give numbers, nested arrays or a typed array`,
    );
  }
  if (depth === shape.length) shape.push(data.length);
  else if (shape[depth] !== data.length) {
    throw new TypeError(
      `Cannot make a tensor from ragged nested arrays: length ${data.length} at depth ${depth}, expected ${
        shape[depth]
      }`,
    );
  }
  for (const item of data) flattenNested(item, shape, out, depth + 1);
}

type ArrayData = ArrayLike<number> & { readonly length: number };

/**
 * A tensor from nested arrays, a typed array or a number; `shape` reshapes
 * flat data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor } from "../mod.ts";
 * const t = tensor([[1, 2], [3, 4]]);
 * assert.equal(t.shape.join(), "2,2");
 * assert.equal((await t.sum().item()), 10);
 * ```
 */
export function tensor(
  data: TensorLike | ArrayData,
  options: CreationOptions & { shape?: readonly number[] } = {},
): Tensor {
  let values: Float32Array;
  let shape: number[];
  if (ArrayBuffer.isView(data)) {
    values = data instanceof Float32Array
      ? data
      : Float32Array.from(data as ArrayData);
    shape = [values.length];
  } else {
    const flat: number[] = [];
    shape = [];
    flattenNested(data as TensorLike, shape, flat, 0);
    values = Float32Array.from(flat);
  }
  if (options.shape) {
    shape = checkShape(options.shape, "make a tensor");
    if (numelOf(shape) !== values.length) {
      throw new TypeError(
        `Cannot make a tensor of shape ${
          showShape(shape)
        } from ${values.length} values`,
      );
    }
  }
  return leaf(tensorFromData(values, shape), options);
}

/** A tensor of `shape` filled with `value`. */
export function full(
  shape: readonly number[],
  value: number,
  options: CreationOptions = {},
): Tensor {
  return leaf(fill(checkShape(shape, "full"), value), options);
}

/** Zeros of `shape`. */
export function zeros(
  shape: readonly number[],
  options: CreationOptions = {},
): Tensor {
  return full(shape, 0, options);
}

/** Ones of `shape`. */
export function ones(
  shape: readonly number[],
  options: CreationOptions = {},
): Tensor {
  return full(shape, 1, options);
}

/** Zeros of `like`'s shape. */
export function zerosLike(like: Tensor, options: CreationOptions = {}): Tensor {
  return full(like.shape, 0, options);
}

/** Ones of `like`'s shape. */
export function onesLike(like: Tensor, options: CreationOptions = {}): Tensor {
  return full(like.shape, 1, options);
}

/** `start, start + step, ...` below `end`; `arange(n)` is `0..n-1`. */
export function arange(
  start: number,
  end?: number,
  step = 1,
  options: CreationOptions = {},
): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0 || !Number.isFinite(step)) {
    throw new RangeError(`Cannot arange with step ${step}`);
  }
  const count = Math.max(0, Math.ceil((end - start) / step));
  return leaf(
    fused("ramp", [], [count], [start, step], "arange"),
    options,
  );
}

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(
  start: number,
  end: number,
  steps: number,
  options: CreationOptions = {},
): Tensor {
  if (!Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`Cannot linspace with ${steps} steps`);
  }
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  return leaf(
    fused("ramp", [], [steps], [start, step], "linspace"),
    options,
  );
}

/** The n x m identity (m defaults to n). */
export function eye(n: number, m = n, options: CreationOptions = {}): Tensor {
  return leaf(
    fused("eye", [], checkShape([n, m], "eye"), [m]),
    options,
  );
}

/** Uniform draws in [0, 1). */
export function rand(
  shape: readonly number[],
  options: CreationOptions = {},
): Tensor {
  const s = checkShape(shape, "rand");
  return leaf(
    Tensor.fromBuffer(random("uniform", numelOf(s), 0, 1), s),
    options,
  );
}

/** Standard normal draws. */
export function randn(
  shape: readonly number[],
  options: CreationOptions = {},
): Tensor {
  const s = checkShape(shape, "randn");
  return leaf(
    Tensor.fromBuffer(random("normal", numelOf(s), 0, 1), s),
    options,
  );
}

/** Uniform draws in [low, high). */
export function uniform(
  shape: readonly number[],
  low: number,
  high: number,
  options: CreationOptions = {},
): Tensor {
  const s = checkShape(shape, "uniform");
  return leaf(
    Tensor.fromBuffer(random("uniform", numelOf(s), low, high), s),
    options,
  );
}

/** Normal draws with mean and standard deviation. */
export function normal(
  shape: readonly number[],
  mean: number,
  std: number,
  options: CreationOptions = {},
): Tensor {
  const s = checkShape(shape, "normal");
  return leaf(
    Tensor.fromBuffer(random("normal", numelOf(s), mean, std), s),
    options,
  );
}

/** Integers drawn uniformly from [low, high), as float32 values. */
export function randint(
  low: number,
  high: number,
  shape: readonly number[],
): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new RangeError(
      `Cannot randint from [${low}, ${high}): need integers with low < high`,
    );
  }
  const s = checkShape(shape, "randint");
  const u = Tensor.fromBuffer(random("uniform", numelOf(s), 0, 1), s);
  const out = fused("randint", [u], s, [low, high - low]);
  u.dispose();
  return out;
}

/** Seeds the GPU generator: the same seed replays the same draws. */
export function manualSeed(seed: number | bigint): void {
  setSeed(seed);
}
