/**
 * The elementwise ops as free functions (`add(a, b)` as well as `a.add(b)`).
 *
 * @module
 */
import type { Tensor } from "./tensor.ts";
import { binary, unary } from "./functions.ts";
import type { Scalar } from "./types.ts";

/** a + b, broadcasting. */
export const add = (a: Tensor, b: Tensor | Scalar): Tensor =>
  binary("add", a, b);
/** a - b. */
export const sub = (a: Tensor, b: Tensor | Scalar): Tensor =>
  binary("sub", a, b);
/** a * b. */
export const mul = (a: Tensor, b: Tensor | Scalar): Tensor =>
  binary("mul", a, b);
/** a / b. */
export const div = (a: Tensor, b: Tensor | Scalar): Tensor =>
  binary("div", a, b);
/** a ** b. */
export const pow = (a: Tensor, b: Tensor | Scalar): Tensor =>
  binary("pow", a, b);
/** Elementwise larger. */
export const maximum = (a: Tensor, b: Tensor | Scalar): Tensor =>
  binary("maximum", a, b);
/** Elementwise smaller. */
export const minimum = (a: Tensor, b: Tensor | Scalar): Tensor =>
  binary("minimum", a, b);
/** 1 where a == b. */
export const eq = (a: Tensor, b: Tensor | Scalar): Tensor => binary("eq", a, b);
/** 1 where a != b. */
export const ne = (a: Tensor, b: Tensor | Scalar): Tensor => binary("ne", a, b);
/** 1 where a < b. */
export const lt = (a: Tensor, b: Tensor | Scalar): Tensor => binary("lt", a, b);
/** 1 where a <= b. */
export const le = (a: Tensor, b: Tensor | Scalar): Tensor => binary("le", a, b);
/** 1 where a > b. */
export const gt = (a: Tensor, b: Tensor | Scalar): Tensor => binary("gt", a, b);
/** 1 where a >= b. */
export const ge = (a: Tensor, b: Tensor | Scalar): Tensor => binary("ge", a, b);
/** -x. */
export const neg = (x: Tensor): Tensor => unary("neg", x);
/** e ** x. */
export const exp = (x: Tensor): Tensor => unary("exp", x);
/** Natural log. */
export const log = (x: Tensor): Tensor => unary("log", x);
/** Square root. */
export const sqrt = (x: Tensor): Tensor => unary("sqrt", x);
/** |x|. */
export const abs = (x: Tensor): Tensor => unary("abs", x);
/** x * x. */
export const square = (x: Tensor): Tensor => unary("square", x);
/** -1, 0 or 1. */
export const sign = (x: Tensor): Tensor => unary("sign", x);
