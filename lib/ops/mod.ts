/**
 * Every op as a free function, PyTorch's `torch.*` and
 * `torch.nn.functional.*` spelled the TypeScript way. This is the one
 * definition of each public op: Tensor's methods (`lib/tensor.ts`) and the
 * nn modules call these, so `a.add(b)`, `add(a, b)` and a layer are one
 * code path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { add, relu, tensor } from "../mod.ts";
 * const x = tensor([-1, 2]);
 * assert.deepEqual(await relu(add(x, 1)).toArray(), [0, 3]);
 * ```
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import type { Scalar } from "../core/types.ts";
import { binary, unary } from "./elementwise.ts";

export { clamp, where } from "./select.ts";
export {
  arange,
  type CreationOptions,
  eye,
  full,
  linspace,
  manualSeed,
  normal,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  tensor,
  tensorFromData,
  uniform,
  zeros,
  zerosLike,
} from "./creation.ts";
export {
  cat,
  clone,
  expand,
  flatten,
  narrow,
  pad,
  permute,
  reshape,
  select,
  slice,
  squeeze,
  stack,
  transpose,
  unsqueeze,
} from "./layout.ts";
export { sum } from "./sum.ts";
export { argmax, argmin, max, mean, min, std, variance } from "./reduction.ts";
export { logSoftmax, softmax } from "./activation.ts";
export {
  crossEntropy,
  type CrossEntropyOptions,
  type LossOptions,
  mseLoss,
  nllLoss,
  oneHot,
  type Target,
} from "./loss.ts";
export { linear, matmul } from "./linear.ts";
export { conv2d, type Conv2dOptions } from "./conv.ts";
export { avgPool2d, maxPool2d, type Pool2dOptions } from "./pool.ts";
export { dropout, type DropoutOptions } from "./dropout.ts";
export {
  localResponseNorm,
  type LocalResponseNormOptions,
  lrnDefaults,
} from "./normalization.ts";

// ---- the elementwise ops of the op list, by name

/** a + b, broadcasting. */
export function add(a: Tensor, b: Tensor | Scalar): Tensor {
  return binary("add", a, b);
}
/** a - b. */
export function sub(a: Tensor, b: Tensor | Scalar): Tensor {
  return binary("sub", a, b);
}
/** a * b. */
export function mul(a: Tensor, b: Tensor | Scalar): Tensor {
  return binary("mul", a, b);
}
/** a / b. */
export function div(a: Tensor, b: Tensor | Scalar): Tensor {
  return binary("div", a, b);
}
/** a ** b (PyTorch's meaning below zero for integer b). */
export function pow(a: Tensor, b: Tensor | Scalar): Tensor {
  return binary("pow", a, b);
}
/** Elementwise larger. */
export function maximum(a: Tensor, b: Tensor | Scalar): Tensor {
  return binary("maximum", a, b);
}
/** Elementwise smaller. */
export function minimum(a: Tensor, b: Tensor | Scalar): Tensor {
  return binary("minimum", a, b);
}
/** 1 where a == b, else 0. */
export function eq(a: Tensor, b: Tensor | Scalar): Tensor {
  return binary("eq", a, b);
}
/** 1 where a != b, else 0. */
export function ne(a: Tensor, b: Tensor | Scalar): Tensor {
  return binary("ne", a, b);
}
/** 1 where a < b, else 0. */
export function lt(a: Tensor, b: Tensor | Scalar): Tensor {
  return binary("lt", a, b);
}
/** 1 where a <= b, else 0. */
export function le(a: Tensor, b: Tensor | Scalar): Tensor {
  return binary("le", a, b);
}
/** 1 where a > b, else 0. */
export function gt(a: Tensor, b: Tensor | Scalar): Tensor {
  return binary("gt", a, b);
}
/** 1 where a >= b, else 0. */
export function ge(a: Tensor, b: Tensor | Scalar): Tensor {
  return binary("ge", a, b);
}
/** -x. */
export function neg(x: Tensor): Tensor {
  return unary("neg", x);
}
/** e ** x. */
export function exp(x: Tensor): Tensor {
  return unary("exp", x);
}
/** Natural logarithm. */
export function log(x: Tensor): Tensor {
  return unary("log", x);
}
/** Square root. */
export function sqrt(x: Tensor): Tensor {
  return unary("sqrt", x);
}
/** |x|. */
export function abs(x: Tensor): Tensor {
  return unary("abs", x);
}
/** x * x. */
export function square(x: Tensor): Tensor {
  return unary("square", x);
}
/** -1, 0 or 1. */
export function sign(x: Tensor): Tensor {
  return unary("sign", x);
}
/** max(x, 0). */
export function relu(x: Tensor): Tensor {
  return unary("relu", x);
}
/** The logistic function 1 / (1 + e ** -x). */
export function sigmoid(x: Tensor): Tensor {
  return unary("sigmoid", x);
}
/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  return unary("tanh", x);
}
