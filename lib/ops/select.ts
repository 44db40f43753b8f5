/**
 * clamp and where: differentiable functions whose forward and gradients are
 * select expressions of the op list's fused table.
 *
 * @module
 */
import { record } from "../core/autograd.ts";
import { broadcastShapes } from "../core/shape.ts";
import type { Scalar } from "../core/types.ts";
import { Tensor } from "../tensor.ts";
import { checkScalar, full, fused, type FusedOp } from "./elementwise.ts";
import { collapseTo } from "./sum.ts";

/** Limits values to [min, max]; the gradient passes where the value was inside. */
export function clamp(x: Tensor, min = -Infinity, max = Infinity): Tensor {
  const lo = Math.max(min, -3.4028234663852886e38);
  const hi = Math.min(max, 3.4028234663852886e38);
  if (lo > hi) {
    throw new RangeError(`Cannot clamp to [${min}, ${max}]: min is above max`);
  }
  const y = fused("clamp", [x], x.shape, [lo, hi]);
  return record("clamp", [x], y, (g, [xs]) => [
    fused("clampBackward", [g, xs], x.shape, [lo, hi], "clamp backward"),
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
  const y = fused("where", [condition, ta, tb], shape);
  const result = record("where", [ta, tb], y, (g, [cs]) => {
    const pick = (op: FusedOp, target: Tensor) =>
      target.requiresGrad
        ? collapseTo(
          fused(op, [g, cs], shape, [], "where backward"),
          target.shape,
        )
        : null;
    return [pick("whereBackwardTrue", ta), pick("whereBackwardFalse", tb)];
  }, [condition]);
  if (!(a instanceof Tensor)) ta.dispose();
  if (!(b instanceof Tensor)) tb.dispose();
  return result;
}
