/**
 * Local response normalisation (AlexNet's section 3.3) as PyTorch's
 * F.local_response_norm computes it: a channel-window average of squares
 * through avgPool2d.
 *
 * @module
 */
import { tidy } from "../core/scope.ts";
import type { Tensor } from "../tensor.ts";
import { showShape } from "../core/shape.ts";
import { binary, unary } from "./elementwise.ts";
import { pad, reshape } from "./layout.ts";
import { avgPool2d } from "./pool.ts";

/** Options of {@link localResponseNorm}; the defaults are PyTorch's. */
export interface LocalResponseNormOptions {
  /** Scale of the window's sum of squares, divided by the window size (default 1e-4). */
  alpha?: number;
  /** Exponent of the denominator (default 0.75). */
  beta?: number;
  /** Added to the denominator before the power (default 1). */
  k?: number;
}

/** The options with PyTorch's defaults filled in (F.local_response_norm: alpha 1e-4, beta 0.75, k 1). */
export function lrnDefaults(
  options: LocalResponseNormOptions,
): Required<LocalResponseNormOptions> {
  const { alpha = 1e-4, beta = 0.75, k = 1 } = options;
  return { alpha, beta, k };
}

/**
 * Local response normalisation across channels (AlexNet, section 3.3):
 * b = a / (k + alpha/n * sum of a^2 over n neighbouring channels)^beta,
 * computed as PyTorch's F.local_response_norm (a channel-window average).
 */
export function localResponseNorm(
  input: Tensor,
  size: number,
  options: LocalResponseNormOptions = {},
): Tensor {
  const { alpha, beta, k } = lrnDefaults(options);
  if (input.ndim < 3) {
    throw new TypeError(
      `Cannot localResponseNorm an input of shape ${
        showShape(input.shape)
      }: need [N, C, ...]`,
    );
  }
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`Cannot localResponseNorm with size ${size}`);
  }
  const [n, c] = input.shape;
  const spatial = input.numel / (n * c);
  return tidy(() => {
    // [N, 1, C, HW] squares, zero-padded along C, averaged over a size x 1 window.
    const squares = reshape(unary("square", input), [n, 1, c, spatial]);
    const padded = pad(squares, [
      0,
      0,
      Math.floor(size / 2),
      Math.floor((size - 1) / 2),
    ]);
    const average = reshape(
      avgPool2d(padded, [size, 1], { stride: 1 }),
      input.shape,
    );
    const denominator = binary(
      "pow",
      binary("add", binary("mul", average, alpha), k),
      beta,
    );
    return binary("div", input, denominator);
  });
}
