/**
 * How far a training or evaluation loop may run ahead of reading its
 * per-batch figures (loss, correct count) back from the device.
 *
 * Every read waits for the device, and in Deno a wait costs more than the
 * work: `mapAsync` and `onSubmittedWorkDone` block the thread until the
 * queue is empty, then sleep 10 ms before they resolve
 * (docs/performance.md, session 11). A loop that reads after every batch
 * leaves the device idle for those 10 ms and while it records the next
 * batch. Reading a few batches at once removes most of that: 1.1-1.2x on
 * notebook 05's small networks on lavapipe, more on a GPU, where a batch
 * takes a few milliseconds. The pacer keeps no more than `lagSeconds` of
 * work between reads, from the seconds per batch it measured, so that a
 * Stop or an interrupt still takes effect within about that time.
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";

/** Decides when a loop reads back the batches it has recorded. */
export class ReadPacer {
  #secondsPerBatch = Infinity; // until the first read measures it
  #since: number;
  #recorded = 0;

  /**
   * @param lagSeconds the most device work to record between two reads
   * @param most the most batches between two reads
   * @param now the clock, in milliseconds (tests pass their own)
   */
  constructor(
    readonly lagSeconds = 0.5,
    readonly most = 64,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#since = now();
  }

  /** Batches to record before the next read (1 until a read has measured them). */
  get ahead(): number {
    const fit = Math.floor(this.lagSeconds / this.#secondsPerBatch);
    return Math.max(1, Math.min(this.most, fit));
  }

  /**
   * Counts one recorded batch.
   *
   * @returns whether to read the recorded batches now
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ReadPacer } from "./read_pacer.ts";
   * const pacer = new ReadPacer(0.5);
   * assert.equal(pacer.recorded(), true); // nothing measured yet: read at once
   * pacer.read(1);
   * assert.equal(pacer.ahead >= 1, true);
   * ```
   */
  recorded(): boolean {
    return ++this.#recorded >= this.ahead;
  }

  /**
   * Notes that the batches recorded since the last read were read now,
   * which measures the seconds per batch.
   *
   * @param batches how many were read (those counted by `recorded`)
   */
  read(batches = this.#recorded): void {
    const now = this.now();
    if (batches > 0) {
      this.#secondsPerBatch = (now - this.#since) / 1000 / batches;
    }
    this.#since = now;
    this.#recorded = 0;
  }

  /**
   * Restarts the clock without measuring, with nothing recorded since the
   * last read: at an epoch's start, so that the evaluation and checkpoint
   * before it do not count as the batches' time.
   */
  restart(): void {
    this.#since = this.now();
  }
}

/**
 * The batches a loop has recorded and not read back yet, each with the
 * tensors it reads, paced by a {@link ReadPacer}; train() and evaluate()
 * keep theirs here.
 */
export class UnreadBatches<T> {
  #batches: { batch: T; tensors: Tensor[] }[] = [];

  /** @param pacer decides when to read */
  constructor(readonly pacer: ReadPacer = new ReadPacer()) {}

  /**
   * Keeps a recorded batch and the tensors to read of it.
   *
   * @returns whether to read the kept batches now
   */
  add(batch: T, tensors: Tensor[]): boolean {
    this.#batches.push({ batch, tensors });
    return this.pacer.recorded();
  }

  /**
   * Reads every kept batch through `read`, all in one wait, and frees their
   * tensors, also when a read fails.
   *
   * @returns each batch with what `read` made of its tensors, in order
   */
  async read<V>(
    read: (tensors: Tensor[]) => Promise<V>,
  ): Promise<[T, V][]> {
    try {
      const values = await Promise.all(
        this.#batches.map(({ tensors }) => read(tensors)),
      );
      this.pacer.read(values.length);
      return this.#batches.map(({ batch }, i) => [batch, values[i]]);
    } finally {
      this.discard();
    }
  }

  /** Frees the kept batches' tensors unread. */
  discard(): void {
    for (const { tensors } of this.#batches.splice(0)) {
      for (const t of tensors) t.dispose();
    }
  }
}
