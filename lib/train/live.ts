/**
 * Live output of a training run in a notebook: a progress bar and the
 * curves, each one output updated in place (update_display_data) rather
 * than appended. It uses the `display` and `plot` globals the kernel
 * installs in every cell (so the library never imports the kernel);
 * outside the kernel it prints plain lines.
 *
 * @module
 */
import { curvesFigure, type Figure } from "./plots.ts";
import type { History } from "./history.ts";

type Display = (
  value: unknown,
  options: { displayId: string; update: boolean },
) => Promise<void>;
type Plot = (figure: Figure) => unknown;

/** The kernel's display functions, when running inside it. */
export function kernelDisplay(): { display: Display; plot: Plot } | undefined {
  const g = globalThis as { display?: Display; plot?: Plot };
  return typeof g.display === "function" && typeof g.plot === "function"
    ? { display: g.display, plot: g.plot }
    : undefined;
}

/** The run's outputs: created on first use, then updated. */
export class LiveView {
  readonly #id = crypto.randomUUID();
  #shown = new Set<string>();
  #lastText = 0;

  constructor(readonly enabled: boolean, readonly title: string) {}

  async #show(name: string, value: unknown): Promise<void> {
    const kernel = kernelDisplay();
    if (!this.enabled || !kernel) return;
    const displayId = `${name}-${this.#id}`;
    await kernel.display(value, { displayId, update: this.#shown.has(name) });
    this.#shown.add(name);
  }

  /** Updates the progress bar (text outside notebooks, at most every 10 s). */
  async progress(
    epoch: number,
    epochs: number,
    batch: number,
    batches: number,
    detail: string,
  ): Promise<void> {
    const done = (epoch + batch / batches) / epochs;
    const text = `epoch ${
      epoch + 1
    }/${epochs}, batch ${batch}/${batches}: ${detail}`;
    if (!this.enabled || !kernelDisplay()) {
      if (Date.now() - this.#lastText > 10_000 || batch === batches) {
        this.#lastText = Date.now();
        console.log(text);
      }
      return;
    }
    const percent = (100 * done).toFixed(1);
    await this.#show("progress", {
      [Symbol.for("Jupyter.display")]: () => ({
        "text/plain": text,
        "text/html": `<div style="font-family:monospace">${text}</div>` +
          `<div style="width:100%;max-width:600px;background:#eee;height:10px">` +
          `<div style="width:${percent}%;background:#4c78a8;height:10px"></div></div>`,
      }),
    });
  }

  /** Redraws the curves. */
  async curves(history: History): Promise<void> {
    const kernel = kernelDisplay();
    if (kernel) {
      await this.#show(
        "curves",
        kernel.plot(curvesFigure(history, this.title)),
      );
    }
  }
}
