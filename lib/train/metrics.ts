/**
 * Counting what a classifier gets right: correct predictions on the GPU,
 * confusion matrices on the host, and a finite-loss guard.
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import { tidy } from "../core/scope.ts";
import { arange } from "../ops/creation.ts";

/** The number of rows of `logits` [N, C] whose argmax equals the label (a GPU scalar). */
export function correctCount(logits: Tensor, labels: Tensor): Tensor {
  return tidy(() => logits.argmax(1).eq(labels).sum());
}

/**
 * For each row of `logits` [N, C], how many classes score strictly higher
 * than the true one (a GPU tensor [N]): 0 is a top-1 hit, below 5 a top-5
 * hit, as the paper counts its top-1 and top-5 errors.
 */
export function labelRank(logits: Tensor, labels: Tensor): Tensor {
  return tidy(() => {
    // [N, 1] == [C] -> [N, C] one-hot rows picking each image's true score.
    const oneHot = labels.unsqueeze(1).eq(arange(logits.shape[1]));
    const trueScore = logits.mul(oneHot).sum(1, { keepdim: true });
    return logits.gt(trueScore).sum(1);
  });
}

/** A C x C matrix: row = true class, column = predicted class. */
export function confusionMatrix(
  predicted: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
): number[][] {
  const matrix = Array.from(
    { length: classes },
    () => new Array<number>(classes).fill(0),
  );
  for (let i = 0; i < labels.length; i++) matrix[labels[i]][predicted[i]]++;
  return matrix;
}

/**
 * Throws a RangeError that says what to do when a training value is NaN
 * or infinite (a diverging run), instead of training on garbage.
 */
export function checkFinite(
  value: number,
  what: string,
  hint = "lower the learning rate or check the inputs",
): number {
  if (!Number.isFinite(value)) {
    throw new RangeError(`${what} is ${value}: training diverged; ${hint}`);
  }
  return value;
}
