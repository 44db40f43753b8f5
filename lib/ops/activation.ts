/**
 * Softmax and logSoftmax along a dim, each shifted by the max for
 * stability; their gradients come from the ops they are made of. (relu,
 * sigmoid and tanh are unary ops of the elementwise list.)
 *
 * @module
 */
import { tidy } from "../core/scope.ts";
import type { Tensor } from "../tensor.ts";
import { binary, unary } from "./elementwise.ts";
import { sum } from "./sum.ts";
import { extreme } from "./reduction.ts";

/** exp(x) / sum(exp(x)) along `dim`, shifted by the max for stability. */
export function softmax(x: Tensor, dim: number): Tensor {
  return tidy(() => {
    const shifted = binary(
      "sub",
      x,
      extreme("max", x, dim, { keepdim: true }).values.detach(),
    );
    const e = unary("exp", shifted);
    return binary("div", e, sum(e, dim, { keepdim: true }));
  });
}

/** x - log(sum(exp(x))) along `dim`, shifted by the max for stability. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return tidy(() => {
    const shifted = binary(
      "sub",
      x,
      extreme("max", x, dim, { keepdim: true }).values.detach(),
    );
    return binary(
      "sub",
      shifted,
      unary("log", sum(unary("exp", shifted), dim, { keepdim: true })),
    );
  });
}
