/**
 * Evaluation: accuracy, loss and the confusion matrix of a classifier on a
 * loader, optionally with the paper's ten-crop test-time averaging.
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import type { Module } from "../nn/module.ts";
import { noGrad } from "../core/autograd.ts";
import { tidy } from "../core/scope.ts";
import { crossEntropy, logSoftmax } from "../ops/mod.ts";
import { predictTenCrop } from "../data/transforms/ten_crop.ts";
import { confusionMatrix, labelRank } from "./metrics.ts";
import { UnreadBatches } from "./read_pacer.ts";

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Number of classes (default: the model's output width). */
  classes?: number;
  /** The paper's ten-crop averaging: crops of this size from each (larger) image. */
  tenCrop?: number | [number, number];
  /** Stop after this many batches (quick checks). */
  maxBatches?: number;
  /** Checked between batches: stop when aborted (a kernel interrupt). */
  signal?: AbortSignal;
}

/** What {@link evaluate} measures. */
export interface Evaluation {
  accuracy: number;
  /** The fraction of images whose top prediction is wrong (1 - accuracy): the paper's top-1 error. */
  top1Error: number;
  /** The fraction of images whose true class is not among the five highest scores (the paper's top-5 error). */
  top5Error: number;
  loss: number;
  examples: number;
  /** Row = true class, column = predicted. */
  confusion: number[][];
  /** Predicted and true labels, in loader order. */
  predicted: Int32Array;
  labels: Int32Array;
}

/**
 * Runs `model` in eval mode without gradients over `loader`, restoring its
 * mode afterwards.
 */
export async function evaluate(
  model: Module,
  loader: AsyncIterable<[Tensor, Tensor]>,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const wasTraining = model.training;
  model.eval();
  const predicted: number[] = [];
  const labels: number[] = [];
  let lossSum = 0;
  let top5Hits = 0;
  let batches = 0;
  let classes = options.classes ?? 0;
  // Batches whose figures are not read back yet, read a few at a time
  // (read_pacer.ts): prediction, loss, labels and the labels' ranks.
  const unread = new UnreadBatches<undefined>();
  const readBack = async () => {
    const read = await unread.read(([prediction, loss, target, rank]) =>
      Promise.all([prediction.data(), loss.item(), target.data(), rank.data()])
    );
    for (const [, [p, l, y, r]] of read) {
      top5Hits += r.filter((v) => v < 5).length;
      predicted.push(...p);
      labels.push(...y);
      lossSum += l * y.length;
    }
  };
  try {
    for await (const [images, target] of loader) {
      options.signal?.throwIfAborted();
      const [prediction, loss, rank] = noGrad(() =>
        tidy(() => {
          const logits = options.tenCrop
            ? predictTenCrop(
              (x) => logSoftmax(model.forward(x), 1).exp(),
              images,
              options.tenCrop,
            ).log()
            : model.forward(images);
          return [
            logits.argmax(1),
            crossEntropy(logits, target),
            labelRank(logits, target),
          ];
        })
      );
      images.dispose();
      const readNow = unread.add(undefined, [prediction, loss, target, rank]);
      const last = options.maxBatches !== undefined &&
        ++batches >= options.maxBatches;
      if (readNow) await readBack();
      if (last) break;
    }
    await readBack();
  } finally {
    unread.discard();
    model.train(wasTraining);
  }
  classes = Math.max(
    classes,
    ...labels.map((v) => v + 1),
    ...predicted.map((v) => v + 1),
  );
  const correct = predicted.filter((p, i) => p === labels[i]).length;
  return {
    accuracy: labels.length ? correct / labels.length : NaN,
    top1Error: labels.length ? (labels.length - correct) / labels.length : NaN,
    top5Error: labels.length ? (labels.length - top5Hits) / labels.length : NaN,
    loss: labels.length ? lossSum / labels.length : NaN,
    examples: labels.length,
    confusion: confusionMatrix(predicted, labels, classes),
    predicted: Int32Array.from(predicted),
    labels: Int32Array.from(labels),
  };
}
