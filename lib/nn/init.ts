/**
 * Weight initialisation in place, PyTorch's nn.init (torch/nn/init.py):
 * fan computation, gains, and the uniform/normal schemes.
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import { normal as drawNormal, uniform as drawUniform } from "../ops/mod.ts";
import { full } from "../ops/mod.ts";
import { noGrad } from "../core/autograd.ts";
import { tidy } from "../core/scope.ts";

/** Fan-in and fan-out of a weight: [out, in, ...kernel] as PyTorch's _calculate_fan_in_and_fan_out. */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) {
    throw new TypeError(
      `Cannot compute fan in and fan out of a tensor of shape [${t.shape}]: need 2 or more dims`,
    );
  }
  const receptive = t.shape.slice(2).reduce((p, s) => p * s, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

/** Nonlinearities with a recommended gain. */
export type Nonlinearity =
  | "linear"
  | "conv2d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu";

/** PyTorch's calculate_gain. */
export function calculateGain(
  nonlinearity: Nonlinearity,
  param = 0.01,
): number {
  switch (nonlinearity) {
    case "linear":
    case "conv2d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu":
      return Math.sqrt(2 / (1 + param * param));
    default:
      return nonlinearity satisfies never;
  }
}

function fill(t: Tensor, make: () => Tensor): Tensor {
  noGrad(() => tidy(() => void t.assign(make())));
  return t;
}

/** Fills with U(low, high). */
export function uniform(t: Tensor, low = 0, high = 1): Tensor {
  return fill(t, () => drawUniform(t.shape, low, high));
}

/** Fills with N(mean, std^2). */
export function normal(t: Tensor, mean = 0, std = 1): Tensor {
  return fill(t, () => drawNormal(t.shape, mean, std));
}

/** Fills with a constant. */
export function constant(t: Tensor, value: number): Tensor {
  return fill(t, () => full(t.shape, value));
}

/** Fills with zeros. */
export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

/** Fills with ones. */
export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/** Glorot uniform: U(-b, b) with b = gain * sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound);
}

/** Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

/** Options of the He initialisations. */
export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (default 0). */
  a?: number;
  mode?: "fanIn" | "fanOut";
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, options: KaimingOptions): number {
  const { a = 0, mode = "fanIn", nonlinearity = "leaky_relu" } = options;
  const { fanIn, fanOut } = fans(t);
  return calculateGain(nonlinearity, a) /
    Math.sqrt(mode === "fanIn" ? fanIn : fanOut);
}

/** He uniform: U(-b, b) with b = gain * sqrt(3 / fan). */
export function kaimingUniform(
  t: Tensor,
  options: KaimingOptions = {},
): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform(t, -bound, bound);
}

/** He normal: N(0, (gain / sqrt(fan))^2). */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd(t, options));
}
