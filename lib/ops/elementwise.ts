/**
 * The elementwise op list: every expression the elementwise shader runs
 * (`shaders/elementwise.wgsl`), forward and gradient side by side. No other
 * file above `device/` writes WGSL; they name an op of these tables.
 *
 * - {@link UNARY}: functions of one tensor with their gradients.
 * - {@link BINARY}: functions of two broadcast operands with their gradients.
 * - {@link FUSED}: the other expressions, each one kernel where a chain of
 *   ops would be several (creation, optimizer updates, dropout, gradients
 *   of reductions, image transforms); no autograd.
 *
 * Each table is keyed by its op type (`satisfies Record<Op, Rule>`), so a
 * name added to the type fails the build until it has its row.
 *
 * In an expression, `a`..`d` are the inputs at the element, `i` the
 * output's linear index and `s0`..`s3` the scalars. Gradient expressions
 * see the output gradient `g`.
 *
 * @module
 */
import { record, type VectorJacobian } from "../core/autograd.ts";
import { elementwise } from "../device/elementwise.ts";
import { Tensor } from "../tensor.ts";
import { broadcastShapes } from "../core/shape.ts";
import type { Scalar } from "../core/types.ts";
import { collapseTo } from "./sum.ts";

// ---- unary: x -> y, gradient of g given x and y

/** Elementwise functions of one tensor. */
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

/** A unary op: the forward of `x`, and the gradient of `g` given `x` and `y` (null: none flows). */
interface UnaryRule {
  forward: string;
  backward: string | null;
}

/** The unary ops. Expressions read x as `a`; gradients read g, x, y as `a`, `b`, `c`. */
export const UNARY = {
  neg: { forward: "-a", backward: "-a" },
  exp: { forward: "exp(a)", backward: "a * c" },
  log: { forward: "log(a)", backward: "a / b" },
  sqrt: { forward: "sqrt(a)", backward: "a * 0.5 / c" },
  abs: { forward: "abs(a)", backward: "a * sign(b)" },
  // is_nan keeps NaN (as PyTorch), which WGSL's max/min/clamp may drop.
  relu: {
    forward: "select(max(a, 0.0), a, is_nan(a))",
    backward: "select(0.0, a, b > 0.0)",
  },
  sigmoid: { forward: "1.0 / (1.0 + exp(-a))", backward: "a * c * (1.0 - c)" },
  // tanh via exp overflows to NaN on some drivers beyond |x| ~ 44: clamp first.
  tanh: {
    forward: "tanh(clamp(a, -20.0, 20.0))",
    backward: "a * (1.0 - c * c)",
  },
  sign: { forward: "sign(a)", backward: null },
  square: { forward: "a * a", backward: "2.0 * a * b" },
} satisfies Record<UnaryOp, UnaryRule>;

// ---- binary: (a, b) -> y with broadcasting, gradients for a and for b

/** Elementwise functions of two operands. */
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

/** Builds an expression from the names of the operands and of the output gradient. */
type Expr = (a: string, b: string, g: string) => string;

/** A binary op: its forward, and the gradient for each operand (absent: not differentiable). */
interface BinaryRule {
  forward: Expr;
  gradA?: Expr;
  gradB?: Expr;
}

// pow: spow (signed, elementwise.wgsl), as WGSL's pow is undefined below 0.
/** `expr`, or NaN (a + b) where an operand is NaN (lavapipe's max drops it). */
const nanOr = (expr: string, a: string, b: string) =>
  `select(${expr}, ${a} + ${b}, is_nan(${a}) || is_nan(${b}))`;
/** The binary ops. */
export const BINARY = {
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
    forward: (a, b) => nanOr(`max(${a}, ${b})`, a, b),
    gradA: (a, b, g) =>
      `${g} * select(select(0.0, 0.5, ${a} == ${b}), 1.0, ${a} > ${b})`,
    gradB: (a, b, g) =>
      `${g} * select(select(0.0, 0.5, ${a} == ${b}), 1.0, ${b} > ${a})`,
  },
  minimum: {
    forward: (a, b) => nanOr(`min(${a}, ${b})`, a, b),
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
} satisfies Record<BinaryOp, BinaryRule>;

// ---- fused: one kernel each, no autograd

/** A fused expression and how many tensors and scalars it reads. */
interface FusedRule {
  expr: string;
  inputs: number;
  scalars: number;
}

function fusedRule(expr: string, inputs: number, scalars: number): FusedRule {
  return { expr, inputs, scalars };
}

/** The fused expressions; the comment of each says what it computes. */
export const FUSED = {
  /** s0 everywhere (full, zeros, ones). */
  fill: fusedRule("s0", 0, 1),
  /** start s0 plus i steps of s1 (arange, linspace). */
  ramp: fusedRule("s0 + f32(i) * s1", 0, 2),
  /** 1 where the row i / s0 equals the column i % s0 of an s0-wide matrix (eye). */
  eye: fusedRule("select(0.0, 1.0, i / u32(s0) == i % u32(s0))", 0, 1),
  /** An integer in [s0, s0 + s1) from a uniform draw a; min() guards the top against rounding. */
  randint: fusedRule("min(floor(a * s1), s1 - 1.0) + s0", 1, 2),
  /** 1 in column i % s0 when it is the class a of the row (oneHot). */
  oneHot: fusedRule("select(0.0, 1.0, f32(i % u32(s0)) == a)", 1, 1),
  /** a scaled by s1 where the draw b is at least p = s0, else 0 (dropout and its gradient). */
  dropout: fusedRule("select(0.0, a * s1, b >= s0)", 2, 2),
  /** Limits a to [s0, s1] (clamp). */
  clamp: fusedRule("select(clamp(a, s0, s1), a, is_nan(a))", 1, 2),
  /** The gradient a where x = b was inside [s0, s1] (clamp backward). */
  clampBackward: fusedRule("select(0.0, a, b >= s0 && b <= s1)", 2, 2),
  /** b where the condition a is nonzero, else c (where). */
  where: fusedRule("select(c, b, a != 0.0)", 3, 0),
  /** The gradient a where the condition b held (where backward, first branch). */
  whereBackwardTrue: fusedRule("select(0.0, a, b != 0.0)", 2, 0),
  /** The gradient a where the condition b did not hold (second branch). */
  whereBackwardFalse: fusedRule("select(a, 0.0, b != 0.0)", 2, 0),
  /**
   * The gradient a of max/min along a dim, sent to the element whose
   * coordinate (i / inner s0) % size s1 along that dim is the index b.
   */
  extremeBackward: fusedRule(
    "select(0.0, a, f32((i / u32(s0)) % u32(s1)) == b)",
    2,
    2,
  ),
  /** 1 where a equals the extreme b (max/min of all: the ties). */
  ties: fusedRule("select(0.0, 1.0, a == b)", 2, 0),
  /** The gradient b shared among c ties (mask a). */
  shareAmongTies: fusedRule("a * b / c", 3, 0),
  /** SGD without momentum: p -= lr s0 * (grad b + weightDecay s1 * p). */
  sgdStep: fusedRule("a - s0 * (b + s1 * a)", 2, 2),
  /** SGD's first momentum buffer, a copy of grad: buf += weightDecay s0 * p b. */
  sgdMomentumStart: fusedRule("a + s0 * b", 2, 1),
  /** buf = momentum s0 * buf + (1 - dampening) s1 * (grad b + weightDecay s2 * p c). */
  sgdMomentum: fusedRule("s0 * a + s1 * (b + s2 * c)", 3, 3),
  /** The same without weight decay, which then need not read p: buf = s0 * buf + s1 * grad b. */
  sgdMomentumNoDecay: fusedRule("s0 * a + s1 * b", 2, 2),
  /** Nesterov: p -= lr s0 * ((grad b + weightDecay s2 * p) + momentum s1 * buf c). */
  sgdNesterovStep: fusedRule("a - s0 * ((b + s2 * a) + s1 * c)", 3, 3),
  /** p -= lr s0 * buf b. */
  sgdMomentumStep: fusedRule("a - s0 * b", 2, 1),
  /** Adam's m = b1 s0 * m + (1 - b1) s1 * (grad b + l2 s2 * p c). */
  adamFirstMoment: fusedRule("s0 * a + s1 * (b + s2 * c)", 3, 3),
  /** Adam's v = b2 s0 * v + (1 - b2) s1 * (grad b + l2 s2 * p c)^2. */
  adamSecondMoment: fusedRule(
    "s0 * a + s1 * (b + s2 * c) * (b + s2 * c)",
    3,
    3,
  ),
  /** p = p * decay s3 - stepSize s0 * m b / (sqrt(v c) / sqrt(1 - b2^t) s1 + eps s2). */
  adamStep: fusedRule("a * s3 - s0 * b / (sqrt(c) * s1 + s2)", 3, 4),
  /** Brightness: image a times the factor b, clamped to [0, 1] (ColorJitter). */
  brightness: fusedRule("clamp(a * b, 0.0, 1.0)", 2, 0),
  /** Contrast: factor c blends image a with its mean grey b, clamped (ColorJitter). */
  contrast: fusedRule("clamp(c * a + (1.0 - c) * b, 0.0, 1.0)", 3, 0),
  /** (a - mean b) / std c (Normalize). */
  normalize: fusedRule("(a - b) / c", 3, 0),
} satisfies Record<string, FusedRule>;

/** The name of a fused expression. */
export type FusedOp = keyof typeof FUSED;

/** Runs one expression over tensors into a new tensor; the only caller of the shader. */
function map(
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
    { scalars, label },
  );
  return Tensor.fromBuffer(buffer, shape);
}

function checkArity(op: FusedOp, inputs: number, scalars: number): string {
  const rule = FUSED[op];
  if (rule.inputs !== inputs || rule.scalars !== scalars) {
    throw new TypeError(
      `Cannot run ${op} with ${inputs} tensors and ${scalars} scalars: it takes ${rule.inputs} and ${rule.scalars}`,
    );
  }
  return rule.expr;
}

/** Runs fused `op` over `inputs` (broadcast to `shape`) into a new tensor; no autograd. */
export function fused(
  op: FusedOp,
  inputs: readonly Tensor[],
  shape: readonly number[],
  scalars: readonly number[] = [],
  label: string = op,
): Tensor {
  const expr = checkArity(op, inputs.length, scalars.length);
  return map(expr, inputs, shape, label, scalars);
}

/**
 * Overwrites `target` with fused `op`, where `a` is the target's current
 * value and `b`, `c` the other tensors (its shape), in one kernel and
 * without autograd (optimizer updates).
 */
export function fusedInPlace(
  op: FusedOp,
  target: Tensor,
  others: readonly Tensor[],
  scalars: readonly number[],
): void {
  const expr = checkArity(op, others.length + 1, scalars.length);
  const inputs = [target, ...others].map((t) => ({
    buffer: t.buffer,
    shape: t.shape,
  }));
  elementwise(expr, inputs, target.shape, {
    scalars,
    inPlace: true,
    label: op,
  });
}

// ---- the differentiable elementwise functions

/** A new tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number): Tensor {
  return fused("fill", [], shape, [value], "full");
}

/** An elementwise function of one tensor. */
export function unary(op: UnaryOp, x: Tensor): Tensor {
  const rule: UnaryRule = UNARY[op];
  const y = map(rule.forward, [x], x.shape, op);
  const vjp: VectorJacobian = (g, [xs, ys]) => [unaryBackward(op, g, xs, ys)];
  return rule.backward ? record(op, [x], y, vjp, [x, y]) : y;
}

/** The gradient of unary `op` for `g` given its input `x` and output `y`. */
export function unaryBackward(
  op: UnaryOp,
  g: Tensor,
  x: Tensor,
  y: Tensor,
): Tensor {
  const rule: UnaryRule = UNARY[op];
  if (!rule.backward) throw new TypeError(`Cannot differentiate ${op}`);
  return map(rule.backward, [g, x, y], g.shape, `${op} backward`);
}

/** `value` when it is a number, else a TypeError naming `op`. */
export function checkScalar(op: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot ${op} a tensor and ${typeof value}: give a Tensor or a number`,
    );
  }
  return value;
}

/** An elementwise function of two operands with broadcasting; one may be a number. */
export function binary(op: BinaryOp, a: Tensor, b: Tensor | Scalar): Tensor {
  const rule: BinaryRule = BINARY[op];
  if (!(b instanceof Tensor)) {
    const s = checkScalar(op, b);
    const y = map(rule.forward("a", "s0", ""), [a], a.shape, op, [s]);
    const gradA = rule.gradA;
    if (!gradA) return y;
    return record(op, [a], y, (g, [as]) => [
      map(gradA("b", "s0", "a"), [g, as], a.shape, `${op} backward`, [s]),
    ], [a]);
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
