/**
 * A WebGPU tensor library with autograd, named after PyTorch so that a
 * course written for PyTorch maps one to one.
 *
 * @example
 * ```ts
 * import { randn, tensor } from "./mod.ts";
 * const w = randn([3, 2], { requiresGrad: true });
 * const x = tensor([[1, 2, 3]]);
 * const loss = x.matmul(w).square().sum();
 * loss.backward();
 * console.assert(w.grad!.shape.join() === "3,2");
 * ```
 *
 * @module
 */
export { Tensor } from "./tensor.ts";
export {
  arange,
  eye,
  full,
  linspace,
  manualSeed,
  normal,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  tensor,
  uniform,
  zeros,
  zerosLike,
} from "./creation.ts";
export {
  cat,
  clamp,
  clone,
  expand,
  pad,
  permute,
  reshape,
  sum,
  where,
} from "./functions.ts";
export {
  argmax,
  argmin,
  crossEntropy,
  flatten,
  localResponseNorm,
  logSoftmax,
  mean,
  mseLoss,
  narrow,
  nllLoss,
  oneHot,
  relu,
  select,
  sigmoid,
  softmax,
  squeeze,
  stack,
  tanh,
  transpose,
  unsqueeze,
  variance,
} from "./functional.ts";
export {
  avgPool2d,
  conv2d,
  dropout,
  linear,
  matmul,
  maxPool2d,
} from "./nn_ops.ts";
export * from "./elementwise_api.ts";
export { isGradEnabled, noGrad, setGradEnabled } from "./autograd.ts";
export { keep, tidy } from "./scope.ts";
export { DISPLAY, type MimeBundle } from "./display.ts";
export {
  device,
  emptyPool,
  flush,
  memory,
  synchronize,
} from "./device_info.ts";
export {
  DeviceLostError,
  GPUValidationError,
  OutOfMemoryError,
} from "./device/webgpu.ts";
export * as nn from "./nn/mod.ts";
export * as optim from "./optim/mod.ts";
export * as models from "./models/mod.ts";
export { type Summary, summary, type SummaryRow } from "./summary.ts";
export { CheckpointError, load, loadMetadata, save } from "./checkpoint.ts";
export type { Reduction, Scalar, SliceSpec, TensorLike } from "./types.ts";
export type { Conv2dOptions, DropoutOptions, Pool2dOptions } from "./nn_ops.ts";
export type {
  CrossEntropyOptions,
  LocalResponseNormOptions,
  LossOptions,
  Target,
} from "./functional.ts";
export * as data from "./data/mod.ts";
export * as training from "./train/mod.ts";
export { evaluate, train } from "./train/mod.ts";
