/**
 * The training dashboard: one widget panel in place of the live outputs
 * when the frontend renders widgets. It holds the progress bar, the curves
 * (plotly in an Output widget, redrawn in place), Stop, Pause/Resume and a
 * learning-rate slider. Clicks and slider moves reach the kernel while the
 * cell runs: the executor dispatches them at the loop's next await, and
 * the loop reads them between batches.
 *
 * @module
 */
import {
  Button,
  FloatLogSlider,
  FloatProgress,
  HBox,
  Label,
  Layout,
  Output,
  SliderStyle,
  VBox,
} from "../widgets/mod.ts";
import { curvesFigure } from "./plots.ts";
import type { History } from "./history.ts";
import { kernelDisplay } from "./live.ts";

/** What the training loop reports to and asks of its view. */
export interface TrainView {
  /** Whether the view shows itself (else train() logs epoch lines). */
  readonly enabled: boolean;
  progress(
    epoch: number,
    epochs: number,
    batch: number,
    batches: number,
    detail: string,
  ): Promise<void>;
  curves(history: History): Promise<void>;
}

/** Something with a settable learning rate (every Optimizer). */
export interface HasLearningRate {
  lr: number;
}

/**
 * The panel, its controls and what they asked for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Dashboard } from "./dashboard.ts";
 * const optimizer = { lr: 0.01 };
 * const board = new Dashboard("demo", optimizer);
 * board.learningRate.value = 0.1; // as a slider move does
 * assert.equal(optimizer.lr, 0.1);
 * await board.stopButton.click();
 * assert.equal(board.stopRequested, true);
 * ```
 */
export class Dashboard implements TrainView {
  readonly enabled = true;
  readonly bar = new FloatProgress({
    min: 0,
    max: 1,
    description: "progress",
    layout: new Layout({ width: "100%" }),
  });
  readonly status = new Label({ value: "starting" });
  readonly plot = new Output({ layout: new Layout({ minHeight: "320px" }) });
  readonly stopButton = new Button({
    description: "Stop",
    icon: "stop",
    buttonStyle: "danger",
    tooltip: "End the run after this batch; the model and checkpoint are kept",
  });
  readonly pauseButton = new Button({
    description: "Pause",
    icon: "pause",
    tooltip: "Pause between batches",
  });
  readonly learningRate: FloatLogSlider;
  readonly panel: VBox;
  #stop = false;
  #paused = false;
  #resume: (() => void) | undefined;

  constructor(readonly title: string, optimizer: HasLearningRate) {
    const exponent = Math.log10(optimizer.lr > 0 ? optimizer.lr : 0.01);
    this.learningRate = new FloatLogSlider({
      value: optimizer.lr > 0 ? optimizer.lr : 10 ** exponent,
      min: Math.floor(exponent) - 3,
      max: Math.ceil(exponent) + 2,
      step: 0.1,
      description: "learning rate",
      readoutFormat: ".2e",
      continuousUpdate: false,
      // "initial": the label's own width, not a fixed one that cuts it.
      style: new SliderStyle({ descriptionWidth: "initial" }),
      layout: new Layout({ width: "420px" }),
    });
    // The optimizer takes the new rate now; its next step() uses it.
    this.learningRate.observe<number>("value", ({ new: lr }) => {
      optimizer.lr = lr;
    });
    this.stopButton.onClick(() => {
      this.#stop = true;
      this.stopButton.disabled = true;
      this.pauseButton.disabled = true;
      this.status.value = "stopping after this batch ...";
      this.#wake();
    });
    this.pauseButton.onClick(() => {
      this.#paused = !this.#paused;
      this.pauseButton.description = this.#paused ? "Resume" : "Pause";
      this.pauseButton.icon = this.#paused ? "play" : "pause";
      if (!this.#paused) this.#wake();
    });
    this.panel = new VBox([
      new Label({ value: title }),
      new HBox([this.bar, this.stopButton, this.pauseButton]),
      this.status,
      this.learningRate,
      this.plot,
    ]);
  }

  /** True after Stop was clicked. */
  get stopRequested(): boolean {
    return this.#stop;
  }

  /** True while paused. */
  get paused(): boolean {
    return this.#paused;
  }

  #wake(): void {
    this.#resume?.();
    this.#resume = undefined;
  }

  /**
   * Waits while paused, until Resume, Stop or `signal` (a kernel
   * interrupt, which then throws). Resolves at once when not paused.
   */
  async whilePaused(signal?: AbortSignal): Promise<void> {
    if (!this.#paused || this.#stop) return;
    const before = this.status.value;
    this.status.value = `paused: ${before}`;
    while (this.#paused && !this.#stop) {
      signal?.throwIfAborted();
      // Wakes on Resume/Stop, and every 200 ms to look at the signal.
      await new Promise<void>((resolve) => {
        this.#resume = resolve;
        setTimeout(resolve, 200);
      });
    }
    this.status.value = before;
  }

  /** Shows the panel in the cell's output. */
  async show(): Promise<void> {
    await kernelDisplay()?.display(this.panel, {
      displayId: `dashboard-${this.panel.modelId}`,
      update: false,
    });
  }

  progress(
    epoch: number,
    epochs: number,
    batch: number,
    batches: number,
    detail: string,
  ): Promise<void> {
    this.bar.value = Math.min(1, (epoch + batch / batches) / epochs);
    if (!this.#stop) {
      this.status.value = `epoch ${
        epoch + 1
      }/${epochs}, batch ${batch}/${batches}: ${detail}`;
    }
    return Promise.resolve();
  }

  async curves(history: History): Promise<void> {
    const kernel = kernelDisplay();
    if (kernel) {
      await this.plot.show(kernel.plot(curvesFigure(history, this.title)));
    }
  }

  /** Ends the panel: the controls go grey and the status says how the run ended. */
  finish(message: string): void {
    this.stopButton.disabled = true;
    this.pauseButton.disabled = true;
    this.learningRate.disabled = true;
    this.status.value = message;
    if (!this.#stop) this.bar.barStyle = "success";
  }
}
