/**
 * Layout ops: reshape and its sugar (flatten, squeeze, unsqueeze), copies
 * that reorder or cut (permute, transpose, expand, slice, narrow, select,
 * pad), joins (cat, stack) and clone. Each records its gradient, which is
 * the inverse layout op.
 *
 * @module
 */
import { record } from "../core/autograd.ts";
import { tidy } from "../core/scope.ts";
import { gather, scatter, type StridedAxis } from "../device/copy.ts";
import { copyBuffer } from "../device/recorder.ts";
import { allocate } from "../device/buffer_pool.ts";
import { Tensor } from "../tensor.ts";
import {
  broadcastShapes,
  normalizeDim,
  numelOf,
  showShape,
  stridesOf,
} from "../core/shape.ts";
import type { SliceSpec } from "../core/types.ts";
import { full } from "./elementwise.ts";
import { broadcastTo, sumTo } from "./sum.ts";

/** An independent copy. */
export function clone(x: Tensor): Tensor {
  const buffer = allocate(x.numel * 4, "clone");
  copyBuffer(x.buffer, buffer, x.numel * 4);
  return record("clone", [x], Tensor.fromBuffer(buffer, x.shape), (g) => [g]);
}

// ---- layout

/** Same data, new shape; one size may be -1. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((s) => s !== -1);
  const free = shape.length - known.length;
  const product = numelOf(known);
  const resolved = [...shape];
  if (free > 1 || known.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new TypeError(
      `Cannot reshape to ${
        showShape(shape)
      }: sizes must be non-negative integers, at most one -1`,
    );
  }
  if (free === 1) {
    if (product === 0 || x.numel % product !== 0) {
      throw new TypeError(
        `Cannot reshape ${showShape(x.shape)} (${x.numel} elements) to ${
          showShape(shape)
        }: -1 has no integer size`,
      );
    }
    resolved[resolved.indexOf(-1)] = x.numel / product;
  }
  if (numelOf(resolved) !== x.numel) {
    throw new TypeError(
      `Cannot reshape ${showShape(x.shape)} (${x.numel} elements) to ${
        showShape(resolved)
      } (${numelOf(resolved)} elements)`,
    );
  }
  const y = x.handle(resolved);
  return record("reshape", [x], y, (g) => [g.reshape(x.shape)]);
}

/** Reorders dims into a new contiguous tensor. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const order = dims.map((d) => normalizeDim(d, x.ndim, "permute"));
  if (order.length !== x.ndim || new Set(order).size !== x.ndim) {
    throw new TypeError(
      `Cannot permute a ${x.ndim}-D tensor with dims [${dims}]: give each dim once`,
    );
  }
  const strides = stridesOf(x.shape);
  const axes = order.map((d) => ({
    size: x.shape[d],
    stride: strides[d],
    step: 1,
    start: 0,
    bound: x.shape[d],
  }));
  const y = Tensor.fromBuffer(
    gather(x.buffer, axes),
    order.map((d) => x.shape[d]),
  );
  const inverse = order.map((_, i) => order.indexOf(i));
  return record("permute", [x], y, (g) => [permute(g, inverse)]);
}

/** Broadcasts to `shape` into a new tensor. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const target = shape.map((s, i) =>
    s === -1 ? x.shape[x.ndim - shape.length + i] : s
  );
  const out = broadcastShapes("expand", x.shape, target);
  if (out.join() !== target.join()) {
    throw new TypeError(
      `Cannot expand ${showShape(x.shape)} to ${
        showShape(shape)
      }: only size-1 dims can grow`,
    );
  }
  const y = broadcastTo(x, target);
  return record("expand", [x], y, (g) => [sumTo(g, x.shape)]);
}

interface Range {
  start: number;
  step: number;
  size: number;
  drop: boolean;
}

function parseSpec(spec: SliceSpec, size: number, dim: number): Range {
  if (typeof spec === "number") {
    const index = spec < 0 ? spec + size : spec;
    if (!Number.isInteger(spec) || index < 0 || index >= size) {
      throw new RangeError(
        `Cannot index ${spec} at dim ${dim} of size ${size}`,
      );
    }
    return { start: index, step: 1, size: 1, drop: true };
  }
  let parts: (number | undefined)[];
  if (spec === null || spec === ":") parts = [];
  else if (typeof spec === "string") {
    parts = spec.split(":").map((p) => p.trim() === "" ? undefined : Number(p));
    if (
      parts.length > 3 ||
      parts.some((p) => p !== undefined && !Number.isInteger(p))
    ) {
      throw new TypeError(
        `Cannot parse slice "${spec}" at dim ${dim}: use "start:end:step" with integers`,
      );
    }
  } else parts = spec;
  const step = parts[2] ?? 1;
  if (!Number.isInteger(step) || step <= 0) {
    throw new RangeError(
      `Cannot slice with step ${step} at dim ${dim}: steps must be positive integers`,
    );
  }
  const clampIndex = (v: number) =>
    Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const start = clampIndex(parts[0] ?? 0);
  const end = clampIndex(parts[1] ?? size);
  return {
    start,
    step,
    size: Math.max(0, Math.ceil((end - start) / step)),
    drop: false,
  };
}

/** NumPy-style slicing of the leading dims (see `Tensor.slice`). */
export function slice(x: Tensor, specs: readonly SliceSpec[]): Tensor {
  if (specs.length > x.ndim) {
    throw new RangeError(
      `Cannot slice a ${x.ndim}-D tensor with ${specs.length} specs`,
    );
  }
  const ranges = x.shape.map((size, d) =>
    parseSpec(d < specs.length ? specs[d] : null, size, d)
  );
  const strides = stridesOf(x.shape);
  const axes: StridedAxis[] = ranges.map((r, d) => ({
    size: r.size,
    stride: strides[d],
    step: r.step,
    start: r.start,
    bound: x.shape[d],
  }));
  const kept = ranges.map((r) => r.size);
  const shape = kept.filter((_, d) => !ranges[d].drop);
  const y = Tensor.fromBuffer(gather(x.buffer, axes), shape);
  return record("slice", [x], y, (g) => {
    const gx = full(x.shape, 0);
    scatter(g.buffer, gx.buffer, axes);
    return [gx];
  });
}

/**
 * Pads the last dims, PyTorch's F.pad order: `[left, right, top, bottom,
 * ...]` from the last dim backwards; negative amounts crop.
 */
export function pad(x: Tensor, padding: readonly number[], value = 0): Tensor {
  if (
    padding.length % 2 !== 0 || padding.length / 2 > x.ndim ||
    padding.some((p) => !Number.isInteger(p))
  ) {
    throw new TypeError(
      `Cannot pad a ${x.ndim}-D tensor with [${padding}]: give integer pairs (before, after) for at most ${x.ndim} trailing dims`,
    );
  }
  const before = new Array(x.ndim).fill(0);
  const after = new Array(x.ndim).fill(0);
  for (let i = 0; i < padding.length / 2; i++) {
    before[x.ndim - 1 - i] = padding[2 * i];
    after[x.ndim - 1 - i] = padding[2 * i + 1];
  }
  const shape = x.shape.map((s, d) => s + before[d] + after[d]);
  if (shape.some((s) => s < 0)) {
    throw new RangeError(
      `Cannot pad ${showShape(x.shape)} by [${padding}]: too much cropped`,
    );
  }
  const strides = stridesOf(x.shape);
  const axes = shape.map((size, d) => ({
    size,
    stride: strides[d],
    step: 1,
    start: -before[d],
    bound: x.shape[d],
  }));
  const y = Tensor.fromBuffer(gather(x.buffer, axes, 0, value), shape);
  return record("pad", [x], y, (g) => [pad(g, padding.map((p) => -p))]);
}

/** Joins tensors along an existing dim. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) {
    throw new TypeError("Cannot cat an empty list of tensors");
  }
  const first = tensors[0];
  const d = normalizeDim(dim, first.ndim, "cat");
  for (const t of tensors) {
    if (
      t.ndim !== first.ndim ||
      t.shape.some((s, i) => i !== d && s !== first.shape[i])
    ) {
      throw new TypeError(
        `Cannot cat shapes ${showShape(first.shape)} and ${
          showShape(t.shape)
        } along dim ${dim}: other dims must match`,
      );
    }
  }
  const shape = [...first.shape];
  shape[d] = tensors.reduce((total, t) => total + t.shape[d], 0);
  const out = allocate(numelOf(shape) * 4, "cat");
  const strides = stridesOf(shape);
  const offsets: number[] = [];
  let offset = 0;
  for (const t of tensors) {
    offsets.push(offset);
    const axes = t.shape.map((size, i) => ({
      size,
      stride: strides[i],
      step: 1,
      start: 0,
      bound: shape[i],
    }));
    scatter(t.buffer, out, axes, offset * strides[d]);
    offset += t.shape[d];
  }
  const y = Tensor.fromBuffer(out, shape);
  return record("cat", tensors, y, (g) =>
    tensors.map((t, k) => {
      if (!t.requiresGrad) return null;
      const specs: SliceSpec[] = shape.map(() => null);
      specs[d] = [offsets[k], offsets[k] + t.shape[d]];
      return slice(g, specs);
    }));
}

// ---- shape sugar over reshape and slice

/** Merges dims startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const start = normalizeDim(startDim, x.ndim, "flatten");
  const end = normalizeDim(endDim, x.ndim, "flatten");
  if (start > end) {
    throw new RangeError(
      `Cannot flatten from dim ${startDim} to ${endDim}: start is after end`,
    );
  }
  const merged = numelOf(x.shape.slice(start, end + 1));
  return reshape(x, [
    ...x.shape.slice(0, start),
    merged,
    ...x.shape.slice(end + 1),
  ]);
}

/** Removes size-1 dims (all, or the one given if it has size 1). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((s) => s !== 1));
  const d = normalizeDim(dim, x.ndim, "squeeze");
  return x.shape[d] === 1
    ? reshape(x, x.shape.filter((_, i) => i !== d))
    : reshape(x, x.shape);
}

/** Inserts a size-1 dim at `dim` (in [-ndim-1, ndim]). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1, "unsqueeze");
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/** Swaps two dims. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const order = x.shape.map((_, i) => i);
  const a = normalizeDim(dim0, x.ndim, "transpose");
  const b = normalizeDim(dim1, x.ndim, "transpose");
  [order[a], order[b]] = [order[b], order[a]];
  return permute(x, order);
}

function leadingSpecs(
  x: Tensor,
  dim: number,
  spec: SliceSpec,
  op: string,
): SliceSpec[] {
  const d = normalizeDim(dim, x.ndim, op);
  const specs: SliceSpec[] = new Array(d + 1).fill(null);
  specs[d] = spec;
  return specs;
}

/** `length` elements along `dim` from `start`. */
export function narrow(
  x: Tensor,
  dim: number,
  start: number,
  length: number,
): Tensor {
  const size = x.shape[normalizeDim(dim, x.ndim, "narrow")];
  const from = start < 0 ? start + size : start;
  if (from < 0 || length < 0 || from + length > size) {
    throw new RangeError(
      `Cannot narrow dim ${dim} of size ${size} to [${start}, ${
        start + length
      })`,
    );
  }
  return slice(x, leadingSpecs(x, dim, [from, from + length], "narrow"));
}

/** The sub-tensor at `index` along `dim`, that dim removed. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  return slice(x, leadingSpecs(x, dim, index, "select"));
}

/** Joins tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) {
    throw new TypeError("Cannot stack an empty list of tensors");
  }
  return tidy(() =>
    cat(tensors.map((t) => unsqueeze(t, dim < 0 ? dim + t.ndim + 1 : dim)), dim)
  );
}
