/**
 * Functions built from the differentiable primitives: shape sugar, means
 * and variances, softmax and the losses, local response normalisation.
 * Their gradients come from the primitives they call.
 *
 * @module
 */
import { Tensor } from "./tensor.ts";
import { tidy } from "./scope.ts";
import { avgPool2d } from "./nn_ops.ts";
import {
  binary,
  cat,
  extreme,
  map,
  pad,
  reductionDims,
  reshape,
  slice,
  sum,
  unary,
} from "./functions.ts";
import { tensorFromData } from "./creation.ts";
import { normalizeDim, numelOf, showShape } from "./shape.ts";
import type { Reduction, SliceSpec } from "./types.ts";

// ---- shape sugar

/** Merges dims startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const start = normalizeDim(startDim, x.ndim, "flatten");
  const end = normalizeDim(endDim, x.ndim, "flatten");
  if (start > end) {
    throw new RangeError(
      `Cannot flatten from dim ${startDim} to ${endDim}: start is after end`,
    );
  }
  const merged = numelOf(x.shape.slice(start, end + 1));
  return reshape(x, [
    ...x.shape.slice(0, start),
    merged,
    ...x.shape.slice(end + 1),
  ]);
}

/** Removes size-1 dims (all, or the one given if it has size 1). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((s) => s !== 1));
  const d = normalizeDim(dim, x.ndim, "squeeze");
  return x.shape[d] === 1
    ? reshape(x, x.shape.filter((_, i) => i !== d))
    : reshape(x, x.shape);
}

/** Inserts a size-1 dim at `dim` (in [-ndim-1, ndim]). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1, "unsqueeze");
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/** Swaps two dims. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const order = x.shape.map((_, i) => i);
  const a = normalizeDim(dim0, x.ndim, "transpose");
  const b = normalizeDim(dim1, x.ndim, "transpose");
  [order[a], order[b]] = [order[b], order[a]];
  return x.permute(order);
}

function leadingSpecs(
  x: Tensor,
  dim: number,
  spec: SliceSpec,
  op: string,
): SliceSpec[] {
  const d = normalizeDim(dim, x.ndim, op);
  const specs: SliceSpec[] = new Array(d + 1).fill(null);
  specs[d] = spec;
  return specs;
}

/** `length` elements along `dim` from `start`. */
export function narrow(
  x: Tensor,
  dim: number,
  start: number,
  length: number,
): Tensor {
  const size = x.shape[normalizeDim(dim, x.ndim, "narrow")];
  const from = start < 0 ? start + size : start;
  if (from < 0 || length < 0 || from + length > size) {
    throw new RangeError(
      `Cannot narrow dim ${dim} of size ${size} to [${start}, ${
        start + length
      })`,
    );
  }
  return slice(x, leadingSpecs(x, dim, [from, from + length], "narrow"));
}

/** The sub-tensor at `index` along `dim`, that dim removed. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  return slice(x, leadingSpecs(x, dim, index, "select"));
}

/** Joins tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) {
    throw new TypeError("Cannot stack an empty list of tensors");
  }
  return tidy(() =>
    cat(tensors.map((t) => unsqueeze(t, dim < 0 ? dim + t.ndim + 1 : dim)), dim)
  );
}

// ---- reductions

/** Mean over dims (all when omitted). */
export function mean(
  x: Tensor,
  dim?: number | number[],
  options: Reduction = {},
): Tensor {
  const dims = reductionDims(x, dim, "mean");
  const count = numelOf(dims.map((d) => x.shape[d]));
  return tidy(() => binary("div", sum(x, dims, options), count));
}

/** Variance over dims; `correction` 1 (default) is the unbiased estimate, as PyTorch's. */
export function variance(
  x: Tensor,
  dim?: number | number[],
  options: Reduction & { correction?: number } = {},
): Tensor {
  const dims = reductionDims(x, dim, "var");
  const count = numelOf(dims.map((d) => x.shape[d]));
  const correction = options.correction ?? 1;
  return tidy(() => {
    const centred = binary("sub", x, mean(x, dims, { keepdim: true }));
    const squares = sum(unary("square", centred), dims, options);
    return binary("div", squares, Math.max(0, count - correction));
  });
}

/** Index of the largest value along `dim`, or of the flattened tensor. */
export function argmax(
  x: Tensor,
  dim?: number,
  options: Reduction = {},
): Tensor {
  if (dim === undefined) {
    return tidy(() => extreme("max", reshape(x, [x.numel]), 0).indices);
  }
  const { values, indices } = extreme("max", x, dim, options);
  values.dispose();
  return indices;
}

/** Index of the smallest value along `dim`, or of the flattened tensor. */
export function argmin(
  x: Tensor,
  dim?: number,
  options: Reduction = {},
): Tensor {
  if (dim === undefined) {
    return tidy(() => extreme("min", reshape(x, [x.numel]), 0).indices);
  }
  const { values, indices } = extreme("min", x, dim, options);
  values.dispose();
  return indices;
}

// ---- activations and losses

/** max(x, 0). */
export function relu(x: Tensor): Tensor {
  return unary("relu", x);
}

/** The logistic function. */
export function sigmoid(x: Tensor): Tensor {
  return unary("sigmoid", x);
}

/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  return unary("tanh", x);
}

/** exp(x) / sum(exp(x)) along `dim`, shifted by the max for stability. */
export function softmax(x: Tensor, dim: number): Tensor {
  return tidy(() => {
    const shifted = binary(
      "sub",
      x,
      extreme("max", x, dim, { keepdim: true }).values.detach(),
    );
    const e = unary("exp", shifted);
    return binary("div", e, sum(e, dim, { keepdim: true }));
  });
}

/** x - log(sum(exp(x))) along `dim`, shifted by the max for stability. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return tidy(() => {
    const shifted = binary(
      "sub",
      x,
      extreme("max", x, dim, { keepdim: true }).values.detach(),
    );
    return binary(
      "sub",
      shifted,
      unary("log", sum(unary("exp", shifted), dim, { keepdim: true })),
    );
  });
}

/** Class indices: a tensor of integers (as float32), an Int32Array, or numbers. */
export type Target = Tensor | Int32Array | Uint8Array | readonly number[];

function targetTensor(
  target: Target,
  batch: number,
  classes: number,
  op: string,
): Tensor {
  if (target instanceof Tensor) {
    if (target.ndim !== 1 || target.shape[0] !== batch) {
      throw new TypeError(
        `Cannot ${op} with target of shape ${
          showShape(target.shape)
        }: need [${batch}] class indices`,
      );
    }
    return target;
  }
  if (target.length !== batch) {
    throw new TypeError(
      `Cannot ${op} with ${target.length} targets for a batch of ${batch}`,
    );
  }
  for (const t of target) {
    if (!Number.isInteger(t) || t < 0 || t >= classes) {
      throw new RangeError(
        `Cannot ${op} with target class ${t}: classes run from 0 to ${
          classes - 1
        }`,
      );
    }
  }
  return tensorFromData(Float32Array.from(target), [batch]);
}

/** A [N, C] one-hot matrix of class indices (an all-zero row for an out-of-range index). */
export function oneHot(indices: Tensor, classes: number): Tensor {
  return tidy(() => {
    const column = reshape(indices, [indices.numel, 1]);
    // Element i of the [N, C] output is in column i % C.
    return map(
      "select(0.0, 1.0, f32(i % u32(s0)) == a)",
      [column],
      [indices.numel, classes],
      "oneHot",
      [classes],
    );
  });
}

/** Options of {@link nllLoss} and {@link crossEntropy}. */
export interface LossOptions {
  /** "mean" (default), "sum" or "none". */
  reduction?: "mean" | "sum" | "none";
}

function reduceLoss(
  perExample: Tensor,
  reduction: LossOptions["reduction"] = "mean",
): Tensor {
  if (reduction === "none") return perExample;
  return reduction === "sum" ? sum(perExample) : mean(perExample);
}

/** Negative log-likelihood of class indices under log-probabilities [N, C]. */
export function nllLoss(
  logProbs: Tensor,
  target: Target,
  options: LossOptions = {},
): Tensor {
  if (logProbs.ndim !== 2) {
    throw new TypeError(
      `Cannot nllLoss input of shape ${
        showShape(logProbs.shape)
      }: need [N, C] log-probabilities`,
    );
  }
  const [batch, classes] = logProbs.shape;
  const t = targetTensor(target, batch, classes, "nllLoss");
  const result = tidy(() => {
    const picked = sum(binary("mul", logProbs, oneHot(t, classes)), 1);
    return reduceLoss(unary("neg", picked), options.reduction);
  });
  if (t !== target) t.dispose();
  return result;
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions extends LossOptions {
  /** Mixes the one-hot target with the uniform distribution (PyTorch's label_smoothing). */
  labelSmoothing?: number;
}

/**
 * Cross entropy of logits [N, C] against class indices, PyTorch's
 * F.cross_entropy: logSoftmax then the (smoothed) negative log-likelihood.
 */
export function crossEntropy(
  logits: Tensor,
  target: Target,
  options: CrossEntropyOptions = {},
): Tensor {
  if (logits.ndim !== 2) {
    throw new TypeError(
      `Cannot crossEntropy logits of shape ${
        showShape(logits.shape)
      }: need [N, C]`,
    );
  }
  const smoothing = options.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing <= 1)) {
    throw new RangeError(
      `Cannot crossEntropy with labelSmoothing ${smoothing}: it must be in [0, 1]`,
    );
  }
  const [batch, classes] = logits.shape;
  const t = targetTensor(target, batch, classes, "crossEntropy");
  const result = tidy(() => {
    const logProbs = logSoftmax(logits, 1);
    let weights = oneHot(t, classes);
    // (1 - eps) * onehot + eps / C, as torch/nn/functional.py's cross_entropy.
    if (smoothing > 0) {
      weights = binary(
        "add",
        binary("mul", weights, 1 - smoothing),
        smoothing / classes,
      );
    }
    const perExample = unary("neg", sum(binary("mul", logProbs, weights), 1));
    return reduceLoss(perExample, options.reduction);
  });
  if (t !== target) t.dispose();
  return result;
}

/** Mean squared error. */
export function mseLoss(
  input: Tensor,
  target: Tensor,
  options: LossOptions = {},
): Tensor {
  return tidy(() =>
    reduceLoss(unary("square", binary("sub", input, target)), options.reduction)
  );
}

/** Options of {@link localResponseNorm}; the defaults are PyTorch's. */
export interface LocalResponseNormOptions {
  /** Scale of the window's sum of squares, divided by the window size (default 1e-4). */
  alpha?: number;
  /** Exponent of the denominator (default 0.75). */
  beta?: number;
  /** Added to the denominator before the power (default 1). */
  k?: number;
}

/** The options with PyTorch's defaults filled in (F.local_response_norm: alpha 1e-4, beta 0.75, k 1). */
export function lrnDefaults(
  options: LocalResponseNormOptions,
): Required<LocalResponseNormOptions> {
  const { alpha = 1e-4, beta = 0.75, k = 1 } = options;
  return { alpha, beta, k };
}

/**
 * Local response normalisation across channels (AlexNet, section 3.3):
 * b = a / (k + alpha/n * sum of a^2 over n neighbouring channels)^beta,
 * computed as PyTorch's F.local_response_norm (a channel-window average).
 */
export function localResponseNorm(
  input: Tensor,
  size: number,
  options: LocalResponseNormOptions = {},
): Tensor {
  const { alpha, beta, k } = lrnDefaults(options);
  if (input.ndim < 3) {
    throw new TypeError(
      `Cannot localResponseNorm an input of shape ${
        showShape(input.shape)
      }: need [N, C, ...]`,
    );
  }
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`Cannot localResponseNorm with size ${size}`);
  }
  const [n, c] = input.shape;
  const spatial = input.numel / (n * c);
  return tidy(() => {
    // [N, 1, C, HW] squares, zero-padded along C, averaged over a size x 1 window.
    const squares = reshape(unary("square", input), [n, 1, c, spatial]);
    const padded = pad(squares, [
      0,
      0,
      Math.floor(size / 2),
      Math.floor((size - 1) / 2),
    ]);
    const average = reshape(
      avgPool2d(padded, [size, 1], { stride: 1 }),
      input.shape,
    );
    const denominator = binary(
      "pow",
      binary("add", binary("mul", average, alpha), k),
      beta,
    );
    return binary("div", input, denominator);
  });
}
