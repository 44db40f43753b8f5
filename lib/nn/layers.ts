/**
 * The layers with weights: Linear and Conv2d, initialised as PyTorch's
 * (torch/nn/modules/linear.py and conv.py, reset_parameters:
 * kaiming_uniform with a = sqrt(5), i.e. U(-1/sqrt(fanIn), 1/sqrt(fanIn)),
 * and the bias from the same bound).
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import { empty } from "./_empty.ts";
import { Module, parameter } from "./module.ts";
import { kaimingUniform, uniform } from "./init.ts";
import { conv2d, type Conv2dOptions, linear } from "../ops/mod.ts";
import { conv2dRelu } from "../ops/conv.ts";
import { linearRelu } from "../ops/linear.ts";
import { pair } from "../core/shape.ts";
import { checkGroups } from "../core/window_shape.ts";

function resetParameters(
  weight: Tensor,
  bias: Tensor | undefined,
  fanIn: number,
): void {
  kaimingUniform(weight, { a: Math.sqrt(5) });
  if (bias) {
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform(bias, -bound, bound);
  }
}

/** y = x W^T + b, PyTorch's nn.Linear. */
export class Linear extends Module {
  /** [outFeatures, inFeatures]. */
  weight: Tensor;
  /** [outFeatures], absent with `bias: false`. */
  bias: Tensor | undefined;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: { bias?: boolean } = {},
  ) {
    super();
    this.weight = parameter(empty([outFeatures, inFeatures], "Linear"));
    this.bias = options.bias === false
      ? undefined
      : parameter(empty([outFeatures], "Linear"));
    resetParameters(this.weight, this.bias, inFeatures);
  }

  forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  /** `relu(forward(input))` in one kernel (what Sequential runs for Linear, ReLU). */
  forwardRelu(input: Tensor): Tensor {
    return linearRelu(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${
      this.bias !== undefined
    }`;
  }
}

/** Options of {@link Conv2d}: PyTorch's keyword arguments. */
export interface Conv2dLayerOptions extends Conv2dOptions {
  bias?: boolean;
}

/** 2-D convolution over NCHW input, PyTorch's nn.Conv2d. */
export class Conv2d extends Module {
  /** [outChannels, inChannels / groups, kH, kW]. */
  weight: Tensor;
  /** [outChannels], absent with `bias: false`. */
  bias: Tensor | undefined;
  readonly kernelSize: [number, number];
  readonly #options: Conv2dOptions;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number | [number, number],
    options: Conv2dLayerOptions = {},
  ) {
    super();
    const groups = options.groups ?? 1;
    checkGroups(
      `make Conv2d(${inChannels}, ${outChannels})`,
      groups,
      inChannels,
      outChannels,
    );
    this.kernelSize = pair(kernelSize, "kernelSize", "make Conv2d");
    if (this.kernelSize.some((k) => k < 1)) {
      throw new RangeError(
        `Cannot make Conv2d with kernelSize [${this.kernelSize}]: each side must be 1 or more`,
      );
    }
    const { bias = true, ...convOptions } = options;
    this.#options = convOptions;
    const shape = [outChannels, inChannels / groups, ...this.kernelSize];
    this.weight = parameter(empty(shape, "Conv2d"));
    this.bias = bias ? parameter(empty([outChannels], "Conv2d")) : undefined;
    resetParameters(
      this.weight,
      this.bias,
      (inChannels / groups) * this.kernelSize[0] * this.kernelSize[1],
    );
  }

  forward(input: Tensor): Tensor {
    return conv2d(input, this.weight, this.bias, this.#options);
  }

  /** `relu(forward(input))` in one kernel (what Sequential runs for Conv2d, ReLU). */
  forwardRelu(input: Tensor): Tensor {
    return conv2dRelu(input, this.weight, this.bias, this.#options);
  }

  override extraRepr(): string {
    const o = this.#options;
    const parts = [
      `${this.inChannels}, ${this.outChannels}, kernelSize=[${
        this.kernelSize.join(", ")
      }]`,
    ];
    if (o.stride !== undefined) {
      parts.push(`stride=${JSON.stringify(o.stride)}`);
    }
    if (o.padding !== undefined) {
      parts.push(`padding=${JSON.stringify(o.padding)}`);
    }
    if (o.dilation !== undefined) {
      parts.push(`dilation=${JSON.stringify(o.dilation)}`);
    }
    if (o.groups !== undefined && o.groups !== 1) {
      parts.push(`groups=${o.groups}`);
    }
    if (!this.bias) parts.push("bias=false");
    return parts.join(", ");
  }
}
