/**
 * Dropout from the seeded GPU generator: one uniform draw per element, the
 * same mask in the backward.
 *
 * @module
 */
import { record } from "../core/autograd.ts";
import { random } from "../device/random.ts";
import { Tensor } from "../tensor.ts";
import { fused } from "./elementwise.ts";

/** Options of {@link dropout}. */
export interface DropoutOptions {
  /** Probability of zeroing an element (default 0.5). */
  p?: number;
  /** Only drops when true (default true); in eval it is the identity. */
  training?: boolean;
}

/** Zeroes each element with probability p and scales the rest by 1/(1-p), from the seeded generator. */
export function dropout(input: Tensor, options: DropoutOptions = {}): Tensor {
  const { p = 0.5, training = true } = options;
  if (!(p >= 0 && p <= 1)) {
    throw new RangeError(`Cannot dropout with p = ${p}: p must be in [0, 1]`);
  }
  if (!training || p === 0) return input;
  const noise = Tensor.fromBuffer(
    random("uniform", input.numel, 0, 1),
    input.shape,
  );
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const run = (x: Tensor, u: Tensor, label: string) =>
    fused("dropout", [x, u], x.shape, [p, scale], label);
  const y = run(input, noise, "dropout");
  const result = record(
    "dropout",
    [input],
    y,
    (g, [us]) => [run(g, us, "dropout backward")],
    [noise],
  );
  noise.dispose();
  return result;
}
