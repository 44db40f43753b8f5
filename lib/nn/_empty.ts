import { zeros } from "../ops/mod.ts";
import type { Tensor } from "../tensor.ts";
import { checkShape } from "../core/shape.ts";

/** Storage for a parameter that its initialiser fills next. */
export function empty(shape: readonly number[], layer: string): Tensor {
  return zeros(checkShape(shape, `make ${layer}`));
}
