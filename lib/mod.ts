/**
 * A WebGPU tensor library with autograd, named after PyTorch so that a
 * course written for PyTorch maps one to one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { randn, tensor } from "./mod.ts";
 * const w = randn([3, 2], { requiresGrad: true });
 * const x = tensor([[1, 2, 3]]);
 * const loss = x.matmul(w).square().sum();
 * loss.backward();
 * assert.equal(w.grad!.shape.join(), "3,2");
 * ```
 *
 * @module
 */
export { Tensor } from "./tensor.ts";
export {
  abs,
  add,
  arange,
  argmax,
  argmin,
  avgPool2d,
  cat,
  clamp,
  clone,
  conv2d,
  crossEntropy,
  div,
  dropout,
  eq,
  exp,
  expand,
  eye,
  flatten,
  full,
  ge,
  gt,
  le,
  linear,
  linspace,
  localResponseNorm,
  log,
  logSoftmax,
  lt,
  manualSeed,
  matmul,
  maximum,
  maxPool2d,
  mean,
  minimum,
  mseLoss,
  mul,
  narrow,
  ne,
  neg,
  nllLoss,
  normal,
  oneHot,
  ones,
  onesLike,
  pad,
  permute,
  pow,
  rand,
  randint,
  randn,
  relu,
  reshape,
  select,
  sigmoid,
  sign,
  softmax,
  sqrt,
  square,
  squeeze,
  stack,
  sub,
  sum,
  tanh,
  tensor,
  transpose,
  uniform,
  unsqueeze,
  variance,
  where,
  zeros,
  zerosLike,
} from "./ops/mod.ts";
export { isGradEnabled, noGrad, setGradEnabled } from "./core/autograd.ts";
export { keep, tidy } from "./core/scope.ts";
export { DISPLAY, type MimeBundle } from "./display.ts";
export {
  device,
  emptyPool,
  flush,
  memory,
  memoryBudget,
  setMemoryBudget,
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
export type { Reduction, Scalar, SliceSpec, TensorLike } from "./core/types.ts";
export type {
  Conv2dOptions,
  CrossEntropyOptions,
  DropoutOptions,
  LocalResponseNormOptions,
  LossOptions,
  Pool2dOptions,
  Target,
} from "./ops/mod.ts";
export * as data from "./data/mod.ts";
export * as training from "./train/mod.ts";
export { evaluate, train } from "./train/mod.ts";
export * as widgets from "./widgets/mod.ts";
