/**
 * What a training run records: points within epochs (train loss and
 * accuracy so far) and one row per finished epoch, serialisable into a
 * checkpoint's metadata so a resumed run continues the same curves.
 *
 * @module
 */

/** A mid-epoch measurement. */
export interface Point {
  /** Epochs done, fractional (1.5 = half-way through the second). */
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
}

/** One finished epoch. */
export interface EpochRow {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
  seconds: number;
  examplesPerSecond: number;
  learningRate: number;
}

/** A run's record. */
export interface History {
  plannedEpochs: number;
  points: Point[];
  epochs: EpochRow[];
  /** The adapter the run used. */
  adapter: string;
  /**
   * Set when the dashboard's Stop ended the run: the epoch (1-based) and
   * the batches of it done. The model keeps those batches' training.
   */
  stopped?: { epoch: number; batch: number };
}

/** An empty history. */
export function newHistory(plannedEpochs: number, adapter: string): History {
  return { plannedEpochs, points: [], epochs: [], adapter };
}

/** The history as a text table (for logs and notebooks without HTML). */
export function historyTable(history: History): string {
  const head = "epoch  train loss  train acc  test acc  seconds  examples/s";
  const rows = history.epochs.map((e) =>
    `${String(e.epoch).padStart(5)}  ${e.trainLoss.toFixed(4).padStart(10)}  ${
      e.trainAccuracy.toFixed(3).padStart(9)
    }  ` +
    `${e.testAccuracy.toFixed(3).padStart(8)}  ${
      e.seconds.toFixed(1).padStart(7)
    }  ${e.examplesPerSecond.toFixed(1).padStart(10)}`
  );
  return [head, ...rows].join("\n");
}
