/**
 * Differentiable primitives: each runs GPU work and records its
 * vector-Jacobian product, forward and backward side by side. Everything
 * else (softmax, losses, dropout's callers, LRN) is built from these in
 * `functional.ts` and gets its gradient for free.
 *
 * @module
 */
import { record } from "./autograd.ts";
import { elementwise } from "./device/elementwise.ts";
import { reduce, type ReduceOp } from "./device/reduce.ts";
import { gather, scatter, type StridedAxis } from "./device/copy.ts";
import { copyBuffer } from "./device/recorder.ts";
import { allocate, release } from "./device/buffer_pool.ts";
import { Tensor } from "./tensor.ts";
import {
  broadcastShapes,
  normalizeDim,
  numelOf,
  showShape,
  stridesOf,
} from "./shape.ts";
import type { Reduction, Scalar, SliceSpec } from "./types.ts";

export { normalizeDim } from "./shape.ts";

/** Runs one elementwise expression (see shaders/elementwise.wgsl) over tensors into a new tensor; no autograd. */
export function map(
  expr: string,
  inputs: readonly Tensor[],
  shape: readonly number[],
  label: string,
  scalars: readonly number[] = [],
): Tensor {
  const buffer = elementwise(
    expr,
    inputs.map((t) => ({ buffer: t.buffer, shape: t.shape })),
    shape,
    {
      scalars,
      label,
    },
  );
  return Tensor.fromBuffer(buffer, shape);
}

/** Throws unless two tensors have one shape. */
export function checkSameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.join() !== b.shape.join()) {
    throw new TypeError(
      `Cannot ${op} shapes ${showShape(a.shape)} and ${
        showShape(b.shape)
      }: they must be equal`,
    );
  }
}

/** A new tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number): Tensor {
  return map("s0", [], shape, "full", [value]);
}

/** {@link sumTo} of a gradient this function may free: a summed copy replaces it. */
function collapseTo(grad: Tensor, shape: readonly number[]): Tensor {
  const reduced = sumTo(grad, shape);
  if (reduced !== grad) grad.dispose();
  return reduced;
}

/** Sums `grad` over the dims that broadcasting expanded, back to `shape`. */
export function sumTo(grad: Tensor, shape: readonly number[]): Tensor {
  if (grad.shape.join() === shape.join()) return grad;
  const lead = grad.ndim - shape.length;
  const dims: number[] = [];
  for (let d = 0; d < grad.ndim; d++) {
    if (d < lead || (shape[d - lead] === 1 && grad.shape[d] !== 1)) {
      dims.push(d);
    }
  }
  const summed = sum(grad, dims, { keepdim: true });
  const out = summed.reshape(shape);
  if (out !== summed) summed.dispose();
  return out;
}

// ---- elementwise

/** Unary ops: forward expression of x (`a`), backward of g (`a`), x (`b`), y (`c`). */
export type UnaryOp =
  | "neg"
  | "exp"
  | "log"
  | "sqrt"
  | "abs"
  | "relu"
  | "sigmoid"
  | "tanh"
  | "sign"
  | "square";

const UNARY: Record<UnaryOp, { forward: string; backward: string | null }> = {
  neg: { forward: "-a", backward: "-a" },
  exp: { forward: "exp(a)", backward: "a * c" },
  log: { forward: "log(a)", backward: "a / b" },
  sqrt: { forward: "sqrt(a)", backward: "a * 0.5 / c" },
  abs: { forward: "abs(a)", backward: "a * sign(b)" },
  relu: { forward: "max(a, 0.0)", backward: "select(0.0, a, b > 0.0)" },
  sigmoid: { forward: "1.0 / (1.0 + exp(-a))", backward: "a * c * (1.0 - c)" },
  // tanh via exp overflows to NaN on some drivers beyond |x| ~ 44: clamp first.
  tanh: {
    forward: "tanh(clamp(a, -20.0, 20.0))",
    backward: "a * (1.0 - c * c)",
  },
  sign: { forward: "sign(a)", backward: null },
  square: { forward: "a * a", backward: "2.0 * a * b" },
};

/** An elementwise function of one tensor. */
export function unary(op: UnaryOp, x: Tensor): Tensor {
  const y = map(UNARY[op].forward, [x], x.shape, op);
  const backward = UNARY[op].backward;
  if (!backward) return y;
  return record(
    op,
    [x],
    y,
    (g, [xs, ys]) => [map(backward, [g, xs, ys], x.shape, `${op} backward`)],
    [x, y],
  );
}

/** Binary ops over two broadcast operands (`a`, `b`; a Scalar operand reads `s0`). */
export type BinaryOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "pow"
  | "maximum"
  | "minimum"
  | "eq"
  | "ne"
  | "lt"
  | "le"
  | "gt"
  | "ge";

type Expr = (a: string, b: string, g: string) => string;

// Gradient expressions see the output gradient g; pow uses spow (signed pow,
// defined in elementwise.wgsl) because WGSL's pow is undefined below zero.
const BINARY: Record<BinaryOp, { forward: Expr; gradA?: Expr; gradB?: Expr }> =
  {
    add: {
      forward: (a, b) => `${a} + ${b}`,
      gradA: (_a, _b, g) => g,
      gradB: (_a, _b, g) => g,
    },
    sub: {
      forward: (a, b) => `${a} - ${b}`,
      gradA: (_a, _b, g) => g,
      gradB: (_a, _b, g) => `-${g}`,
    },
    mul: {
      forward: (a, b) => `${a} * ${b}`,
      gradA: (_a, b, g) => `${g} * ${b}`,
      gradB: (a, _b, g) => `${g} * ${a}`,
    },
    div: {
      forward: (a, b) => `${a} / ${b}`,
      gradA: (_a, b, g) => `${g} / ${b}`,
      gradB: (a, b, g) => `-${g} * ${a} / (${b} * ${b})`,
    },
    pow: {
      forward: (a, b) => `spow(${a}, ${b})`,
      gradA: (a, b, g) =>
        `select(${g} * ${b} * spow(${a}, ${b} - 1.0), 0.0, ${b} == 0.0)`,
      gradB: (a, b, g) =>
        `select(${g} * spow(${a}, ${b}) * log(${a}), 0.0, ${a} <= 0.0)`,
    },
    // Ties split the gradient in half, as PyTorch's maximum/minimum do.
    maximum: {
      forward: (a, b) => `max(${a}, ${b})`,
      gradA: (a, b, g) =>
        `${g} * select(select(0.0, 0.5, ${a} == ${b}), 1.0, ${a} > ${b})`,
      gradB: (a, b, g) =>
        `${g} * select(select(0.0, 0.5, ${a} == ${b}), 1.0, ${b} > ${a})`,
    },
    minimum: {
      forward: (a, b) => `min(${a}, ${b})`,
      gradA: (a, b, g) =>
        `${g} * select(select(0.0, 0.5, ${a} == ${b}), 1.0, ${a} < ${b})`,
      gradB: (a, b, g) =>
        `${g} * select(select(0.0, 0.5, ${a} == ${b}), 1.0, ${b} < ${a})`,
    },
    eq: { forward: (a, b) => `select(0.0, 1.0, ${a} == ${b})` },
    ne: { forward: (a, b) => `select(0.0, 1.0, ${a} != ${b})` },
    lt: { forward: (a, b) => `select(0.0, 1.0, ${a} < ${b})` },
    le: { forward: (a, b) => `select(0.0, 1.0, ${a} <= ${b})` },
    gt: { forward: (a, b) => `select(0.0, 1.0, ${a} > ${b})` },
    ge: { forward: (a, b) => `select(0.0, 1.0, ${a} >= ${b})` },
  };

function checkScalar(op: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot ${op} a tensor and ${typeof value}: give a Tensor or a number`,
    );
  }
  return value;
}

/** An elementwise function of two operands with broadcasting; one may be a number. */
export function binary(op: BinaryOp, a: Tensor, b: Tensor | Scalar): Tensor {
  const rule = BINARY[op];
  if (!(b instanceof Tensor)) {
    const s = checkScalar(op, b);
    const y = map(rule.forward("a", "s0", ""), [a], a.shape, op, [s]);
    const gradA = rule.gradA;
    if (!gradA) return y;
    return record(
      op,
      [a],
      y,
      (
        g,
        [as],
      ) => [
        map(gradA("b", "s0", "a"), [g, as], a.shape, `${op} backward`, [s]),
      ],
      [
        a,
      ],
    );
  }
  const shape = broadcastShapes(op, a.shape, b.shape);
  const y = map(rule.forward("a", "b", ""), [a, b], shape, op);
  const { gradA, gradB } = rule;
  if (!gradA || !gradB) return y;
  // add and sub pass g through: their vjps need no saved operands.
  const needsOperands = op !== "add" && op !== "sub";
  return record(op, [a, b], y, (g, saved) => {
    const [as, bs] = needsOperands ? saved : [a, b];
    const grad = (expr: Expr, target: Tensor) => {
      if (!target.requiresGrad) return null;
      const full = needsOperands
        ? map(expr("b", "c", "a"), [g, as, bs], shape, `${op} backward`)
        : map(expr("", "", "a"), [g], shape, `${op} backward`);
      return collapseTo(full, target.shape);
    };
    return [grad(gradA, a), grad(gradB, b)];
  }, needsOperands ? [a, b] : []);
}

/** Limits values to [min, max]; the gradient passes where the value was inside. */
export function clamp(x: Tensor, min = -Infinity, max = Infinity): Tensor {
  const lo = Math.max(min, -3.4028234663852886e38);
  const hi = Math.min(max, 3.4028234663852886e38);
  if (lo > hi) {
    throw new RangeError(`Cannot clamp to [${min}, ${max}]: min is above max`);
  }
  const y = map("clamp(a, s0, s1)", [x], x.shape, "clamp", [lo, hi]);
  return record("clamp", [x], y, (g, [xs]) => [
    map(
      "select(0.0, a, b >= s0 && b <= s1)",
      [g, xs],
      x.shape,
      "clamp backward",
      [lo, hi],
    ),
  ], [x]);
}

/** `condition != 0 ? a : b`, broadcasting all three. */
export function where(
  condition: Tensor,
  a: Tensor | Scalar,
  b: Tensor | Scalar,
): Tensor {
  const ta = a instanceof Tensor ? a : full([], checkScalar("where", a));
  const tb = b instanceof Tensor ? b : full([], checkScalar("where", b));
  const shape = broadcastShapes(
    "where",
    broadcastShapes("where", condition.shape, ta.shape),
    tb.shape,
  );
  const y = map("select(c, b, a != 0.0)", [condition, ta, tb], shape, "where");
  const result = record("where", [ta, tb], y, (g, [cs]) => {
    const pick = (expr: string, target: Tensor) => {
      if (!target.requiresGrad) return null;
      return collapseTo(
        map(expr, [g, cs], shape, "where backward"),
        target.shape,
      );
    };
    return [
      pick("select(0.0, a, b != 0.0)", ta),
      pick("select(a, 0.0, b != 0.0)", tb),
    ];
  }, [condition]);
  if (!(a instanceof Tensor)) ta.dispose();
  if (!(b instanceof Tensor)) tb.dispose();
  return result;
}

/** Copies `source`'s data into `target`'s buffer (same shape), outside autograd. */
export function copyInto(source: Tensor, target: Tensor): void {
  copyBuffer(source.buffer, target.buffer, source.numel * 4);
}

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
  const y = map("a", [x], target, "expand");
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

// ---- reductions

function reducedShape(
  shape: readonly number[],
  dims: readonly number[],
  keepdim: boolean,
): number[] {
  return keepdim
    ? shape.map((s, d) => dims.includes(d) ? 1 : s)
    : shape.filter((_, d) => !dims.includes(d));
}

/** Normalised, sorted, distinct dims; all dims when omitted. */
export function reductionDims(
  x: Tensor,
  dim: number | readonly number[] | undefined,
  op: string,
): number[] {
  if (dim === undefined) return x.shape.map((_, d) => d);
  const dims = (typeof dim === "number" ? [dim] : dim).map((d) =>
    normalizeDim(d, x.ndim, op)
  );
  return [...new Set(dims)].sort((a, b) => a - b);
}

/** Reduces the given dims one contiguous block at a time; buffers only. */
function reduceDims(op: ReduceOp, x: Tensor, dims: number[]): GPUBuffer {
  let shape = [...x.shape];
  let buffer = x.buffer;
  let owned = false;
  // From the last dim back, so earlier dims keep their positions.
  for (let i = dims.length - 1; i >= 0;) {
    let j = i;
    while (j > 0 && dims[j - 1] === dims[j] - 1) j--;
    const first = dims[j];
    const last = dims[i];
    const outer = numelOf(shape.slice(0, first));
    const r = numelOf(shape.slice(first, last + 1));
    const inner = numelOf(shape.slice(last + 1));
    const next = reduce(op, buffer, outer, r, inner).values;
    if (owned) release(buffer);
    buffer = next;
    owned = true;
    shape = [...shape.slice(0, first), ...shape.slice(last + 1)];
    i = j - 1;
  }
  if (!owned) {
    const copy = allocate(x.numel * 4, op);
    copyBuffer(buffer, copy, x.numel * 4);
    return copy;
  }
  return buffer;
}

/** Sum over dims (all when omitted). */
export function sum(
  x: Tensor,
  dim?: number | readonly number[],
  options: Reduction = {},
): Tensor {
  const dims = reductionDims(x, dim, "sum");
  const keepdim = options.keepdim ?? false;
  const y = Tensor.fromBuffer(
    reduceDims("sum", x, dims),
    reducedShape(x.shape, dims, keepdim),
  );
  return record("sum", [x], y, (g) => {
    const kept = g.reshape(reducedShape(x.shape, dims, true));
    const gx = map("a", [kept], x.shape, "sum backward");
    kept.dispose();
    return [gx];
  });
}

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
    const gk = g.reshape(keptShape);
    const ik = is.reshape(keptShape);
    // Coordinate along dim of output element i: (i / inner) % size.
    const gx = map(
      "select(0.0, a, f32((i / u32(s0)) % u32(s1)) == b)",
      [gk, ik],
      x.shape,
      `${op} backward`,
      [
        inner,
        x.shape[d],
      ],
    );
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
    const mask = map(
      "select(0.0, 1.0, a == b)",
      [xs, ys],
      x.shape,
      `${op} backward`,
    );
    const count = sum(mask);
    const gx = map("a * b / c", [mask, g, count], x.shape, `${op} backward`);
    mask.dispose();
    count.dispose();
    return [gx];
  }, [x, y]);
}
