/**
 * Losses over class indices and regression targets, PyTorch's
 * F.nll_loss, F.cross_entropy (with label smoothing) and F.mse_loss, and
 * the one-hot matrix they pick with.
 *
 * @module
 */
import { tidy } from "../core/scope.ts";
import { noGrad } from "../core/autograd.ts";
import { deferCheck } from "../core/deferred_checks.ts";
import { Tensor } from "../tensor.ts";
import { showShape } from "../core/shape.ts";
import { binary, fused, unary } from "./elementwise.ts";
import { sum } from "./sum.ts";
import { mean } from "./reduction.ts";
import { reshape } from "./layout.ts";
import { logSoftmax } from "./activation.ts";
import { tensorFromData } from "./creation.ts";

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
    checkOnGpu(target, classes, op);
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

/**
 * Counts labels outside [0, classes) (or NaN) on the GPU; the count is
 * reported at the next readback, so a train() step pays no readback.
 */
function checkOnGpu(target: Tensor, classes: number, op: string): void {
  const bad = noGrad(() =>
    tidy(() =>
      sum(
        binary(
          "add",
          binary("add", binary("lt", target, 0), binary("ge", target, classes)),
          binary("ne", target, target),
        ),
      )
    )
  );
  deferCheck(
    op,
    bad,
    (n) =>
      `Cannot ${op} with target classes outside 0 to ${
        classes - 1
      }: ${n} labels of a Tensor target were out of range (checked on the GPU, reported at this readback)`,
  );
}

/** A [N, C] one-hot matrix of class indices (an all-zero row for an out-of-range index). */
export function oneHot(indices: Tensor, classes: number): Tensor {
  return tidy(() => {
    const column = reshape(indices, [indices.numel, 1]);
    return fused("oneHot", [column], [indices.numel, classes], [classes]);
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
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none") {
    throw new TypeError(
      `Cannot reduce a loss with reduction ${
        JSON.stringify(reduction)
      }: give "mean", "sum" or "none"`,
    );
  }
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
