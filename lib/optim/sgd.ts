/**
 * Stochastic gradient descent with momentum, dampening, weight decay and
 * Nesterov momentum, with PyTorch's update rules (torch/optim/sgd.py,
 * _single_tensor_sgd):
 *   g = grad + weightDecay * p
 *   buf = g (first step), else momentum * buf + (1 - dampening) * g
 *   g = nesterov ? g + momentum * buf : buf
 *   p = p - lr * g
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import { clone } from "../ops/mod.ts";
import { noGrad } from "../core/autograd.ts";
import { fusedInPlace } from "../ops/elementwise.ts";
import { Optimizer, type OptimizerOptions, type Params } from "./optimizer.ts";

/** SGD's options, PyTorch's names in camelCase. */
export interface SGDOptions extends OptimizerOptions {
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/**
 * PyTorch's optim.SGD.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { optim, tensor } from "../mod.ts";
 * const w = tensor([1, 2], { requiresGrad: true });
 * const opt = new optim.SGD([w], { lr: 0.1 });
 * w.square().sum().backward();
 * opt.step();
 * // w - 0.1 * 2w, in float32
 * assert.deepEqual(await w.toArray(), [Math.fround(0.8), Math.fround(1.6)]);
 * ```
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, options: SGDOptions = {}) {
    super(params, {
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      ...options,
    });
  }

  protected override validate(o: Required<SGDOptions>): void {
    super.validate(o);
    if (!(o.momentum >= 0)) {
      throw new RangeError(
        `SGD got momentum ${o.momentum}: it must be 0 or more`,
      );
    }
    if (!(o.weightDecay >= 0)) {
      throw new RangeError(
        `SGD got weightDecay ${o.weightDecay}: it must be 0 or more`,
      );
    }
    if (!(o.dampening >= 0 && o.dampening <= 1)) {
      throw new RangeError(
        `SGD got dampening ${o.dampening}: it must be in [0, 1]`,
      );
    }
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new RangeError(
        "SGD with nesterov needs momentum > 0 and dampening 0",
      );
    }
  }

  protected update(
    p: Tensor,
    grad: Tensor,
    state: Record<string, Tensor | number>,
    o: Required<SGDOptions>,
  ): void {
    const { lr, momentum, dampening, weightDecay: wd, nesterov } = o;
    if (momentum === 0) {
      fusedInPlace("sgdStep", p, [grad], [lr, wd]);
      return;
    }
    let buf = state.momentumBuffer as Tensor | undefined;
    if (!buf) {
      // The buffer starts as the first (decayed) gradient, undampened.
      buf = state.momentumBuffer = this.keepState(noGrad(() => clone(grad)));
      fusedInPlace("sgdMomentumStart", buf, [p], [wd]);
    } else if (wd === 0) {
      // one stream fewer: on lavapipe the update is bound by memory traffic
      fusedInPlace("sgdMomentumNoDecay", buf, [grad], [
        momentum,
        1 - dampening,
      ]);
    } else {
      fusedInPlace("sgdMomentum", buf, [grad, p], [
        momentum,
        1 - dampening,
        wd,
      ]);
    }
    if (nesterov) {
      fusedInPlace("sgdNesterovStep", p, [grad, buf], [
        lr,
        momentum,
        wd,
      ]);
    } else fusedInPlace("sgdMomentumStep", p, [buf], [lr]);
  }
}
