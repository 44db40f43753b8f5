/**
 * Learning-rate schedules: StepLR, and ReduceLROnPlateau (the paper divided
 * the rate by 10 whenever the validation error stopped improving), with
 * PyTorch's rules (torch/optim/lr_scheduler.py).
 *
 * @module
 */
import type { Optimizer, OptimizerOptions } from "./optimizer.ts";

/** Multiplies the rate by `gamma` every `stepSize` calls of `step()` (once per epoch). */
export class StepLR {
  #epoch = 0;
  readonly #initial: number[];

  constructor(
    readonly optimizer: Optimizer<OptimizerOptions>,
    readonly stepSize: number,
    readonly options: { gamma?: number } = {},
  ) {
    if (!Number.isInteger(stepSize) || stepSize < 1) {
      throw new RangeError(`StepLR got stepSize ${stepSize}: need 1 or more`);
    }
    this.#initial = optimizer.paramGroups.map((g) => g.options.lr);
  }

  /** Ends an epoch. */
  step(): void {
    this.#epoch++;
    const factor = (this.options.gamma ?? 0.1) **
      Math.floor(this.#epoch / this.stepSize);
    this.optimizer.paramGroups.forEach((g, i) =>
      g.options.lr = this.#initial[i] * factor
    );
  }

  /** The current rates, one per group. */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.options.lr);
  }
}

/** Options of {@link ReduceLROnPlateau}, PyTorch's defaults. */
export interface PlateauOptions {
  mode?: "min" | "max";
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: "rel" | "abs";
  cooldown?: number;
  minLr?: number;
  eps?: number;
}

/** Divides the rate when a watched metric stops improving for `patience` epochs. */
export class ReduceLROnPlateau {
  readonly #o: Required<PlateauOptions>;
  #best: number;
  #badEpochs = 0;
  #cooldown = 0;

  constructor(
    readonly optimizer: Optimizer<OptimizerOptions>,
    options: PlateauOptions = {},
  ) {
    this.#o = {
      mode: "min",
      factor: 0.1,
      patience: 10,
      threshold: 1e-4,
      thresholdMode: "rel",
      cooldown: 0,
      minLr: 0,
      eps: 1e-8,
      ...options,
    };
    if (!(this.#o.factor < 1)) {
      throw new RangeError(
        `ReduceLROnPlateau got factor ${this.#o.factor}: it must be below 1`,
      );
    }
    this.#best = this.#o.mode === "min" ? Infinity : -Infinity;
  }

  #improved(value: number): boolean {
    const { mode, threshold, thresholdMode } = this.#o;
    if (mode === "min") {
      return thresholdMode === "rel"
        ? value < this.#best * (1 - threshold)
        : value < this.#best - threshold;
    }
    return thresholdMode === "rel"
      ? value > this.#best * (1 + threshold)
      : value > this.#best + threshold;
  }

  /** Reports the epoch's metric (e.g. validation loss or error); may lower the rate. */
  step(metric: number): void {
    if (this.#improved(metric)) {
      this.#best = metric;
      this.#badEpochs = 0;
    } else {
      this.#badEpochs++;
    }
    if (this.#cooldown > 0) {
      this.#cooldown--;
      this.#badEpochs = 0;
    }
    if (this.#badEpochs > this.#o.patience) {
      for (const g of this.optimizer.paramGroups) {
        const next = Math.max(g.options.lr * this.#o.factor, this.#o.minLr);
        if (g.options.lr - next > this.#o.eps) g.options.lr = next;
      }
      this.#cooldown = this.#o.cooldown;
      this.#badEpochs = 0;
    }
  }

  /** The current rates, one per group. */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.options.lr);
  }
}
