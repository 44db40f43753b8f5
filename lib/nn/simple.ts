/**
 * Layers without weights: activations, pooling, dropout, flatten, local
 * response normalisation, and the loss module.
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import { Module } from "./module.ts";
import {
  avgPool2d,
  dropout,
  maxPool2d,
  type Pool2dOptions,
} from "../ops/mod.ts";
import {
  crossEntropy,
  type CrossEntropyOptions,
  flatten,
  localResponseNorm,
  type LocalResponseNormOptions,
  lrnDefaults,
  relu,
  sigmoid,
  tanh,
  type Target,
} from "../ops/mod.ts";

/** max(x, 0). */
export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return relu(input);
  }
}

/** The logistic function (LeNet's activation). */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return sigmoid(input);
  }
}

/** Hyperbolic tangent (the paper's Figure 1 comparison). */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return tanh(input);
  }
}

/** Max pooling; stride defaults to the kernel size. */
export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: number | [number, number],
    readonly options: Pool2dOptions = {},
  ) {
    super();
  }
  forward(input: Tensor): Tensor {
    return maxPool2d(input, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${
      JSON.stringify(this.options.stride ?? this.kernelSize)
    }`;
  }
}

/** Average pooling; stride defaults to the kernel size. */
export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: number | [number, number],
    readonly options: Pool2dOptions = {},
  ) {
    super();
  }
  forward(input: Tensor): Tensor {
    return avgPool2d(input, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${
      JSON.stringify(this.options.stride ?? this.kernelSize)
    }`;
  }
}

/** Zeroes elements with probability p in training mode; the identity in eval mode. */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) {
      throw new RangeError(
        `Cannot make Dropout with p = ${p}: p must be in [0, 1]`,
      );
    }
  }
  forward(input: Tensor): Tensor {
    return dropout(input, { p: this.p, training: this.training });
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** Flattens dims startDim..endDim (default: all but the batch dim). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }
  forward(input: Tensor): Tensor {
    return flatten(input, this.startDim, this.endDim);
  }
}

/**
 * Local response normalisation across channels (the AlexNet paper's
 * section 3.3), PyTorch's nn.LocalResponseNorm: its formula (alpha is
 * divided by `size`) and its defaults, size 5 here and alpha 1e-4, beta
 * 0.75, k 1 (torch/nn/modules/normalization.py). The paper's constants are
 * k 2 and an undivided alpha 1e-4: pass `{ alpha: 5e-4, k: 2 }` for them.
 */
export class LocalResponseNorm extends Module {
  constructor(
    readonly size = 5,
    readonly options: LocalResponseNormOptions = {},
  ) {
    super();
  }
  forward(input: Tensor): Tensor {
    return localResponseNorm(input, this.size, this.options);
  }
  override extraRepr(): string {
    const { alpha, beta, k } = lrnDefaults(this.options);
    return `size=${this.size}, alpha=${alpha}, beta=${beta}, k=${k}`;
  }
}

/** Cross entropy of logits against class indices, PyTorch's nn.CrossEntropyLoss. */
export class CrossEntropyLoss extends Module {
  constructor(readonly options: CrossEntropyOptions = {}) {
    super();
  }
  forward(input: Tensor, target: Target): Tensor {
    return crossEntropy(input, target, this.options);
  }
}
