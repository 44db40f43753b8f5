/**
 * `train()`: the course's training loop (d2l's train_ch6) with live curves,
 * per-epoch checkpoints that a later run resumes from, and a clean stop on
 * a kernel interrupt.
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import type { Module } from "../nn/module.ts";
import type { Optimizer, OptimizerOptions } from "../optim/optimizer.ts";
import { SGD } from "../optim/sgd.ts";
import { tidy } from "../core/scope.ts";
import { crossEntropy } from "../ops/mod.ts";
import { device } from "../device_info.ts";
import { load, loadMetadata, save } from "../checkpoint.ts";
import { checkFinite, correctCount } from "./metrics.ts";
import { ReadPacer, UnreadBatches } from "./read_pacer.ts";
import { evaluate, type EvaluateOptions } from "./evaluate.ts";
import { type History, newHistory } from "./history.ts";
import { kernelDisplay, LiveView } from "./live.ts";
import { Dashboard, type TrainView } from "./dashboard.ts";
import { kernelComms } from "../comms.ts";

/** A loader of [images, labels] batches with a length in batches (data.DataLoader is one). */
export type Loader = AsyncIterable<[Tensor, Tensor]> & {
  readonly length: number;
};

/** Options of {@link train}. */
export interface TrainOptions {
  /** Epochs to reach (a resumed run continues up to this many). */
  epochs: number;
  /** Learning rate of the default optimizer, SGD as the course uses (default 0.01). */
  lr?: number;
  /** Any optimizer over the model's parameters (overrides lr). */
  optimizer?: Optimizer<OptimizerOptions>;
  /** Loss of logits and labels (default cross entropy). */
  loss?: (logits: Tensor, labels: Tensor) => Tensor;
  /** Saves the model here after every epoch (safetensors, atomically), with the history in its metadata. */
  checkpoint?: string;
  /** Continue from `checkpoint` when it exists (default true when a checkpoint is given). */
  resume?: boolean;
  /**
   * Live progress bar and curves in the notebook (default true; plain log
   * lines outside a kernel). In a frontend with widgets this is the
   * dashboard, with Stop, Pause/Resume and a learning-rate slider.
   */
  live?: boolean;
  /** Curve points per epoch (default 5, as d2l's animator). */
  pointsPerEpoch?: number;
  /** Evaluation options (e.g. `tenCrop`) for the test set after each epoch. */
  evaluation?: EvaluateOptions;
  /** Stops the run (a kernel interrupt aborts the one the kernel provides). */
  signal?: AbortSignal;
  /** Called after each epoch with the history so far. */
  onEpoch?: (history: History) => void | Promise<void>;
}

/** Raised when a run stops early (interrupt); says where and what was kept. */
export class TrainingInterrupted extends Error {
  override name = "TrainingInterrupted";
}

/** The AbortSignal the kernel aborts on interrupt, when running inside it. */
function kernelSignal(): AbortSignal | undefined {
  return (globalThis as Record<symbol, AbortSignal | undefined>)[
    Symbol.for("deno-webgpu.kernel.abort")
  ];
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Trains `model` on `trainLoader` for `epochs`, measuring test accuracy on
 * `testLoader` after each epoch; returns the history (loss, accuracies,
 * seconds and examples per second per epoch, the adapter).
 *
 * The loss and correct count of each batch are read back a few batches at
 * a time, at most about half a second of device work apart (read_pacer.ts),
 * since every read waits for the device; a non-finite loss is still named
 * by its batch.
 *
 * In a frontend that renders widgets the run shows a dashboard, and reads
 * every batch. Its Stop ends the run after the current batch: the model
 * keeps what it learnt,
 * the checkpoint (when given) is saved then, and the history comes back
 * with `stopped` set rather than an error, since stopping is a choice.
 * A resumed run then redoes that epoch from the stopped weights.
 *
 * @throws {TrainingInterrupted} When interrupted: the last epoch's checkpoint stays.
 * @throws {RangeError} When the loss becomes NaN or infinite.
 */
export async function train(
  model: Module,
  trainLoader: Loader,
  testLoader: Loader,
  options: TrainOptions,
): Promise<History> {
  const { epochs, pointsPerEpoch = 5 } = options;
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new RangeError(`Cannot train for ${epochs} epochs: give 1 or more`);
  }
  const optimizer = options.optimizer ??
    new SGD(model.parameters(), { lr: options.lr ?? 0.01 });
  const lossFn = options.loss ??
    ((logits: Tensor, labels: Tensor) => crossEntropy(logits, labels));
  const signal = options.signal ?? kernelSignal();
  const live = options.live ?? kernelDisplay() !== undefined;
  const title = `${model.constructor.name} on ${device().description}`;
  const dashboard = live && kernelDisplay() && kernelComms()?.frontendHasWidgets
    ? new Dashboard(title, optimizer)
    : undefined;
  const view: TrainView = dashboard ?? new LiveView(live, title);
  await dashboard?.show();
  let history = newHistory(epochs, String(device()));
  const checkpoint = options.checkpoint;
  if (checkpoint && (options.resume ?? true) && await exists(checkpoint)) {
    model.loadStateDict(await load(checkpoint));
    const saved = (await loadMetadata(checkpoint)).history;
    if (saved) {
      history = {
        ...JSON.parse(saved),
        plannedEpochs: epochs,
        adapter: history.adapter,
      };
      // A run stopped from the dashboard resumes: it redoes that epoch.
      delete history.stopped;
    }
    console.log(
      `Resumed from ${checkpoint} after epoch ${history.epochs.length}`,
    );
  }
  const batches = trainLoader.length;
  const every = Math.max(1, Math.floor(batches / pointsPerEpoch));
  // With a dashboard someone watches and clicks: read every batch, so that
  // Stop and Pause act after the current one and the curves move evenly.
  const pacer = new ReadPacer(dashboard ? 0 : 0.5);
  const interrupted = (epoch: number, batch: number) => {
    const kept = checkpoint && history.epochs.length
      ? ` The checkpoint of epoch ${history.epochs.length} is in ${checkpoint}; run again to resume.`
      : "";
    return new TrainingInterrupted(
      `Training interrupted in epoch ${epoch + 1} at batch ${batch}.${kept}`,
    );
  };
  for (let epoch = history.epochs.length; epoch < epochs; epoch++) {
    if (history.stopped) break;
    model.train();
    const start = performance.now();
    let lossSum = 0, correct = 0, seen = 0, batch = 0;
    // Batches recorded but not read back yet, read a few at a time
    // (read_pacer.ts): their size and number, with their loss and correct
    // count on the device.
    const unread = new UnreadBatches<{ n: number; batch: number }>(pacer);
    const readBack = async () => {
      const read = await unread.read(([loss, right]) =>
        Promise.all([loss.item(), right.item()])
      );
      for (const [{ n, batch }, [lossValue, rightValue]] of read) {
        checkFinite(
          lossValue,
          `The loss at epoch ${epoch + 1}, batch ${batch}`,
          `lower the learning rate (now ${optimizer.lr})`,
        );
        lossSum += lossValue * n;
        correct += rightValue;
        seen += n;
      }
    };
    pacer.restart();
    try {
      for await (const [images, labels] of trainLoader) {
        await dashboard?.whilePaused(signal);
        if (dashboard?.stopRequested) {
          // Stop came between batches (or while paused): this batch is
          // not trained on.
          for (const t of [images, labels]) t.dispose();
          history.stopped = { epoch: epoch + 1, batch };
          break;
        }
        signal?.throwIfAborted();
        const [loss, right] = tidy(() => {
          const logits = model.forward(images);
          const l = lossFn(logits, labels);
          optimizer.zeroGrad();
          l.backward();
          optimizer.step();
          return [l, correctCount(logits, labels)];
        });
        batch++;
        const readNow = unread.add({ n: images.shape[0], batch }, [
          loss,
          right,
        ]);
        for (const t of [images, labels]) t.dispose();
        const point = batch % every === 0 || batch === batches;
        if (readNow || point || dashboard?.stopRequested) {
          await readBack();
        }
        if (point) {
          history.points.push({
            epoch: epoch + batch / batches,
            trainLoss: lossSum / seen,
            trainAccuracy: correct / seen,
          });
          const rate = seen / ((performance.now() - start) / 1000);
          await view.progress(
            epoch,
            epochs,
            batch,
            batches,
            `loss ${(lossSum / seen).toFixed(4)}, ${
              rate.toFixed(1)
            } examples/s`,
          );
          await view.curves(history);
        }
        if (dashboard?.stopRequested) {
          history.stopped = { epoch: epoch + 1, batch };
          break;
        }
      }
      await readBack(); // after a Stop, or a loader shorter than its length
      if (history.stopped) break;
      const seconds = (performance.now() - start) / 1000;
      const test = await evaluate(model, testLoader, {
        ...options.evaluation,
        signal,
      });
      history.epochs.push({
        epoch: epoch + 1,
        trainLoss: lossSum / seen,
        trainAccuracy: correct / seen,
        testAccuracy: test.accuracy,
        seconds,
        examplesPerSecond: seen / seconds,
        learningRate: optimizer.lr,
      });
    } catch (error) {
      unread.discard();
      dashboard?.finish(`interrupted in epoch ${epoch + 1} at batch ${batch}`);
      if (signal?.aborted) throw interrupted(epoch, batch);
      throw error;
    }
    await view.curves(history);
    if (checkpoint) {
      await save(model, checkpoint, {
        epoch: String(epoch + 1),
        history: JSON.stringify(history),
      });
    }
    // An interrupt that came during the epoch's last awaits stops the run
    // here, with this epoch saved: onEpoch never runs after an interrupt.
    if (signal?.aborted) throw interrupted(epoch, batch);
    await options.onEpoch?.(history);
    const last = history.epochs.at(-1)!;
    if (!view.enabled) {
      console.log(
        `epoch ${last.epoch}: loss ${last.trainLoss.toFixed(3)}, train acc ${
          last.trainAccuracy.toFixed(3)
        }, ` +
          `test acc ${last.testAccuracy.toFixed(3)}, ${
            last.examplesPerSecond.toFixed(1)
          } examples/s`,
      );
    }
  }
  if (history.stopped) {
    const { epoch, batch } = history.stopped;
    let kept = "";
    if (checkpoint) {
      await save(model, checkpoint, {
        epoch: String(history.epochs.length),
        history: JSON.stringify(history),
        stopped: `epoch ${epoch}, batch ${batch}`,
      });
      kept = `; checkpoint saved to ${checkpoint}`;
    }
    await view.curves(history);
    const message =
      `Stopped in epoch ${epoch} after batch ${batch}: the model keeps its training${kept}.`;
    dashboard?.finish(message);
    console.log(message);
    return history;
  }
  dashboard?.finish("done");
  const last = history.epochs.at(-1);
  if (last) {
    console.log(
      `loss ${last.trainLoss.toFixed(3)}, train acc ${
        last.trainAccuracy.toFixed(3)
      }, test acc ${last.testAccuracy.toFixed(3)}\n${
        last.examplesPerSecond.toFixed(1)
      } examples/sec on ${history.adapter}`,
    );
  }
  return history;
}
