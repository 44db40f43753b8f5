/**
 * 2-D convolution (cross-correlation, as PyTorch's), NCHW, through the
 * conv2d kernels: one forward GEMM and the two backward GEMMs. The sizes
 * and their checks are `core/window_shape.ts`'s.
 *
 * @module
 */
import { isGradEnabled, record } from "../core/autograd.ts";
import {
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dForward,
  type PatchSlot,
} from "../device/conv2d.ts";
import { Tensor } from "../tensor.ts";
import { checkBindable } from "../device/recorder.ts";
import { showShape } from "../core/shape.ts";
import { type Conv2dOptions, conv2dShape } from "../core/window_shape.ts";
import { sum } from "./sum.ts";
import { unaryBackward } from "./elementwise.ts";

export type { Conv2dOptions } from "../core/window_shape.ts";

/** 2-D convolution (cross-correlation, as PyTorch's), NCHW. */
export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor,
  options: Conv2dOptions = {},
): Tensor {
  return convolve(input, weight, bias, options, false);
}

/**
 * `relu(conv2d(input, weight, bias, options))` in one kernel: the ReLU runs
 * in the GEMM's store, so the pre-activation is never written and the
 * separate ReLU pass and its gradient pass are saved. `nn.Sequential` uses
 * it for a Conv2d followed by a ReLU.
 */
export function conv2dRelu(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor,
  options: Conv2dOptions = {},
): Tensor {
  return convolve(input, weight, bias, options, true);
}

function convolve(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | undefined,
  options: Conv2dOptions,
  relu: boolean,
): Tensor {
  const s = conv2dShape(input.shape, weight.shape, options);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== s.outChannels)) {
    throw new TypeError(
      `Cannot conv2d with a bias of shape ${
        showShape(bias.shape)
      }: need [${s.outChannels}]`,
    );
  }
  checkBindable("conv2d", "the input", input.shape);
  checkBindable("conv2d", "the weight", weight.shape);
  checkBindable("conv2d", "the output", [
    s.batch,
    s.outChannels,
    s.outHeight,
    s.outWidth,
  ]);
  // A Winograd forward's transformed input, kept for the weight gradient
  // where there will be one (device/conv2d_winograd.ts, InputPatches).
  const slot: PatchSlot | undefined = isGradEnabled() && weight.requiresGrad
    ? {}
    : undefined;
  const y = Tensor.fromBuffer(
    conv2dForward(input.buffer, weight.buffer, bias?.buffer, s, { relu }, slot),
    [s.batch, s.outChannels, s.outHeight, s.outWidth],
  );
  const kept = slot?.patches;
  // saved as a tensor, so that the graph frees it with the rest
  const patches = kept &&
    Tensor.fromBuffer(kept.buffer, [kept.buffer.size / 4]);
  const inputs = bias ? [input, weight, bias] : [input, weight];
  const saved = relu ? [input, weight, y] : [input, weight];
  const output = record(
    relu ? "conv2d+relu" : "conv2d",
    inputs,
    y,
    (g, [xs, ws, ys]) => {
      // relu'(y) is relu' of the pre-activation: y > 0 exactly where it was.
      const gy = relu ? unaryBackward("relu", g, ys, ys) : g;
      const grads = [
        input.requiresGrad
          ? Tensor.fromBuffer(conv2dBackwardInput(gy.buffer, ws.buffer, s), [
            ...input.shape,
          ])
          : null,
        weight.requiresGrad
          ? Tensor.fromBuffer(
            conv2dBackwardWeight(
              xs.buffer,
              gy.buffer,
              s,
              kept, // alive while the graph holds `patches`
            ),
            [...weight.shape],
          )
          : null,
        bias?.requiresGrad ? sum(gy, [0, 2, 3]) : null,
      ];
      if (gy !== g) gy.dispose();
      return grads;
    },
    patches ? [...saved, patches] : saved,
  );
  patches?.dispose(); // the graph's handle keeps it
  return output;
}
