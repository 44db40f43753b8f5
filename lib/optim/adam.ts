/**
 * Adam and AdamW with PyTorch's update rules (torch/optim/adam.py and
 * adamw.py, _single_tensor_adam), amsgrad excluded:
 *   Adam:  g = grad + weightDecay * p          (L2 added to the gradient)
 *   AdamW: p = p * (1 - lr * weightDecay)      (decoupled decay)
 *   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2
 *   p = p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import { full } from "../ops/mod.ts";
import { fusedInPlace } from "../ops/elementwise.ts";
import { Optimizer, type OptimizerOptions, type Params } from "./optimizer.ts";

/** Adam's options, PyTorch's names in camelCase. */
export interface AdamOptions extends OptimizerOptions {
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/** PyTorch's optim.Adam. */
export class Adam extends Optimizer<AdamOptions> {
  /** AdamW decays weights directly instead of through the gradient. */
  protected readonly decoupled: boolean = false;

  constructor(
    params: Params<AdamOptions>,
    options: AdamOptions = {},
    weightDecayDefault = 0,
  ) {
    super(params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: weightDecayDefault,
      ...options,
    });
  }

  protected override validate(o: Required<AdamOptions>): void {
    super.validate(o);
    const [b1, b2] = o.betas;
    if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) {
      throw new RangeError(
        `${this.constructor.name} got betas [${o.betas}]: each must be in [0, 1)`,
      );
    }
    if (!(o.eps >= 0)) {
      throw new RangeError(
        `${this.constructor.name} got eps ${o.eps}: it must be 0 or more`,
      );
    }
    if (!(o.weightDecay >= 0)) {
      throw new RangeError(
        `${this.constructor.name} got weightDecay ${o.weightDecay}: it must be 0 or more`,
      );
    }
  }

  protected update(
    p: Tensor,
    grad: Tensor,
    state: Record<string, Tensor | number>,
    o: Required<AdamOptions>,
  ): void {
    const { lr, betas: [b1, b2], eps, weightDecay } = o;
    const step =
      (state.step = ((state.step as number | undefined) ?? 0) + 1) as number;
    const m = (state.expAvg ??= this.keepState(full(p.shape, 0))) as Tensor;
    const v = (state.expAvgSq ??= this.keepState(full(p.shape, 0))) as Tensor;
    const l2 = this.decoupled ? 0 : weightDecay;
    fusedInPlace("adamFirstMoment", m, [grad, p], [b1, 1 - b1, l2]);
    fusedInPlace("adamSecondMoment", v, [grad, p], [
      b2,
      1 - b2,
      l2,
    ]);
    const stepSize = lr / (1 - b1 ** step);
    const decay = this.decoupled ? 1 - lr * weightDecay : 1;
    fusedInPlace("adamStep", p, [m, v], [
      stepSize,
      1 / Math.sqrt(1 - b2 ** step),
      eps,
      decay,
    ]);
  }
}

/** PyTorch's optim.AdamW: decoupled weight decay, default 0.01. */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: Params<AdamOptions>, options: AdamOptions = {}) {
    super(params, options, 0.01);
  }
}
