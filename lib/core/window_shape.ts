/**
 * The sliding-window shape rules, each in one place: the output size of a
 * convolution or pooling window, the channel-groups check, and the checked
 * sizes of a conv2d and of a 2-D pooling. A wrong shape or option is a
 * TypeError, a size out of range a RangeError, each message naming the op
 * and the values: `Cannot <op> ...: <why>`.
 *
 * @module
 */
import type { Conv2dShape } from "../device/conv2d.ts";
import type { PoolShape } from "../device/pool.ts";
import { pair, showShape } from "./shape.ts";

/**
 * Output length of a window sliding over `size` elements, PyTorch's
 * formula: floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1.
 */
export function windowOutputSize(
  size: number,
  kernel: number,
  stride: number,
  padding: number,
  dilation = 1,
): number {
  return Math.floor(
    (size + 2 * padding - dilation * (kernel - 1) - 1) / stride,
  ) + 1;
}

/** Throws a TypeError unless `groups` is a positive integer dividing both channel counts. */
export function checkGroups(
  op: string,
  groups: number,
  inChannels: number,
  outChannels: number,
): void {
  if (
    !Number.isInteger(groups) || groups < 1 || inChannels % groups !== 0 ||
    outChannels % groups !== 0
  ) {
    throw new TypeError(
      `Cannot ${op} with groups ${groups}: in channels ${inChannels} and out channels ${outChannels} must both divide by it`,
    );
  }
}

/** Options of a conv2d, PyTorch's keyword arguments. */
export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number] | "valid" | "same";
  dilation?: number | [number, number];
  groups?: number;
}

function conv2dPadding(
  padding: Conv2dOptions["padding"],
  stride: [number, number],
  extent: [number, number],
): [number, number] {
  if (padding === "valid") return [0, 0];
  if (padding !== "same") return pair(padding ?? 0, "padding", "conv2d");
  if (stride[0] !== 1 || stride[1] !== 1) {
    throw new TypeError("Cannot conv2d with padding 'same' and stride above 1");
  }
  if (extent[0] % 2 || extent[1] % 2) {
    throw new TypeError(
      "Cannot conv2d with padding 'same' for an even kernel extent",
    );
  }
  return [extent[0] / 2, extent[1] / 2];
}

/** The sizes of a conv2d of `input` [N, C, H, W] by `weight` [OC, C/groups, KH, KW], checked, with its output height and width. */
export function conv2dShape(
  input: readonly number[],
  weight: readonly number[],
  options: Conv2dOptions,
): Conv2dShape {
  const op = "conv2d";
  if (input.length !== 4) {
    throw new TypeError(
      `Cannot conv2d an input of shape ${
        showShape(input)
      }: need 4-D [N, C, H, W]`,
    );
  }
  if (weight.length !== 4) {
    throw new TypeError(
      `Cannot conv2d with a weight of shape ${
        showShape(weight)
      }: need 4-D [outC, inC/groups, kH, kW]`,
    );
  }
  const groups = options.groups ?? 1;
  const [batch, inChannels, inHeight, inWidth] = input;
  const [outChannels, perGroup, kernelHeight, kernelWidth] = weight;
  checkGroups(op, groups, inChannels, outChannels);
  if (perGroup * groups !== inChannels) {
    throw new TypeError(
      `Cannot conv2d input ${showShape(input)} with weight ${
        showShape(weight)
      }: the input has ${inChannels} channels, ` +
        `the weight expects ${
          perGroup * groups
        } (${perGroup} per group x ${groups} groups)`,
    );
  }
  if (kernelHeight < 1 || kernelWidth < 1) {
    throw new RangeError(
      `Cannot conv2d with a ${kernelHeight}x${kernelWidth} kernel: each side must be 1 or more`,
    );
  }
  const stride = pair(options.stride ?? 1, "stride", op);
  const dilation = pair(options.dilation ?? 1, "dilation", op);
  const [padHeight, padWidth] = conv2dPadding(options.padding, stride, [
    dilation[0] * (kernelHeight - 1),
    dilation[1] * (kernelWidth - 1),
  ]);
  if (
    [...stride, ...dilation].some((v) => v < 1) || padHeight < 0 ||
    padWidth < 0
  ) {
    throw new RangeError(
      `Cannot conv2d with stride, dilation below 1 or negative padding`,
    );
  }
  const outHeight = windowOutputSize(
    inHeight,
    kernelHeight,
    stride[0],
    padHeight,
    dilation[0],
  );
  const outWidth = windowOutputSize(
    inWidth,
    kernelWidth,
    stride[1],
    padWidth,
    dilation[1],
  );
  if (outHeight < 1 || outWidth < 1) {
    throw new TypeError(
      `Cannot conv2d input ${
        showShape(input)
      } with a ${kernelHeight}x${kernelWidth} kernel (padding ${padHeight}, ` +
        `dilation ${
          dilation[0]
        }): the output would be ${outHeight}x${outWidth}`,
    );
  }
  return {
    batch,
    inChannels,
    inHeight,
    inWidth,
    outChannels,
    kernelHeight,
    kernelWidth,
    strideHeight: stride[0],
    strideWidth: stride[1],
    padHeight,
    padWidth,
    dilationHeight: dilation[0],
    dilationWidth: dilation[1],
    groups,
    outHeight,
    outWidth,
  };
}

/** Options of the pooling functions. */
export interface Pool2dOptions {
  /** Defaults to the kernel size. */
  stride?: number | [number, number];
  padding?: number | [number, number];
}

/** The sizes of a 2-D pooling of `input` [N, C, H, W] or [C, H, W], checked, with its output height and width. */
export function pool2dShape(
  op: string,
  input: readonly number[],
  kernelSize: number | [number, number],
  options: Pool2dOptions,
): PoolShape {
  if (input.length !== 4 && input.length !== 3) {
    throw new TypeError(
      `Cannot ${op} an input of shape ${
        showShape(input)
      }: need [N, C, H, W] or [C, H, W]`,
    );
  }
  const kernel = pair(kernelSize, "kernelSize", op);
  const stride = pair(options.stride ?? kernel, "stride", op);
  const padding = pair(options.padding ?? 0, "padding", op);
  if ([...kernel, ...stride].some((v) => v < 1)) {
    throw new RangeError(
      `Cannot ${op} with kernel [${kernel}] and stride [${stride}]: each must be 1 or more`,
    );
  }
  if (padding.some((v) => v < 0)) {
    throw new RangeError(
      `Cannot ${op} with padding [${padding}]: it must be 0 or more`,
    );
  }
  if (padding[0] * 2 > kernel[0] || padding[1] * 2 > kernel[1]) {
    throw new RangeError(
      `Cannot ${op} with padding [${padding}]: at most half the kernel [${kernel}]`,
    );
  }
  const [height, width] = input.slice(-2);
  const outHeight = windowOutputSize(height, kernel[0], stride[0], padding[0]);
  const outWidth = windowOutputSize(width, kernel[1], stride[1], padding[1]);
  if (outHeight < 1 || outWidth < 1) {
    throw new TypeError(
      `Cannot ${op} input ${
        showShape(input)
      } with kernel [${kernel}]: the input is smaller than the window`,
    );
  }
  const planes = input.slice(0, -2).reduce((p, s) => p * s, 1);
  return {
    planes,
    height,
    width,
    outHeight,
    outWidth,
    kernel,
    stride,
    padding,
  };
}
