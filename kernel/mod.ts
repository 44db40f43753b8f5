/**
 * @module
 * Rich display for notebooks run by the deno-webgpu kernel, importable by
 * library code. Inside the kernel every cell already has these as globals;
 * outside it (a script, a test) `display` prints the text/plain part and
 * `clearOutput` does nothing, so library code may call them unconditionally.
 *
 * An object renders itself when it has a `[DISPLAY]()` method (the key is
 * `Symbol.for("Jupyter.display")`) returning a MIME bundle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DISPLAY, display, html, inKernel, toMimeBundle } from "./mod.ts";
 *
 * class Progress {
 *   constructor(readonly step: number, readonly loss: number) {}
 *   [DISPLAY]() {
 *     return { "text/html": `<b>step ${this.step}</b> loss ${this.loss}`, "text/plain": `step ${this.step}` };
 *   }
 * }
 * await display(new Progress(1, 2.3), { displayId: "train" });
 * await display(new Progress(2, 1.9), { displayId: "train", update: true });
 * await display(html`<i>done</i>`);
 * // Outside the kernel display() printed the text/plain parts above.
 * assert.equal(inKernel(), false);
 * assert.deepEqual(await toMimeBundle(new Progress(3, 1.5)), {
 *   "text/html": "<b>step 3</b> loss 1.5",
 *   "text/plain": "step 3",
 * });
 * ```
 */
export {
  clearOutput,
  DISPLAY,
  display,
  type Displayable,
  type DisplayOptions,
  html,
  image,
  inKernel,
  isDisplayable,
  md,
  type MimeBundle,
  svg,
  type TensorLike,
  toMimeBundle,
} from "./executor/display.ts";
export { type Figure, plot } from "./executor/plotly.ts";
