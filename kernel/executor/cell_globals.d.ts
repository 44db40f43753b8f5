/**
 * The types of the globals cell_globals.ts installs, for the kernel's
 * language service: checks, completion and quick info (kernel/notebook_host.ts
 * reads this file; nothing imports it). The
 * functions' own types come from their modules, so they cannot drift; `input`
 * is declared here because it lives inside cell_globals.ts. `prompt`,
 * `confirm` and `alert` are Deno's own declarations.
 */
import type { CommManager } from "./comms.ts";
import type * as displayModule from "./display.ts";
import type * as plotlyModule from "./plotly.ts";

declare global {
  /** Shows a value (a MIME bundle with `raw`) as an output of the cell; resolves once sent. */
  const display: typeof displayModule.display;
  /** Clears the cell's output (with `wait`, when the next output arrives). */
  const clearOutput: typeof displayModule.clearOutput;
  /** HTML, as a tagged template or a call. */
  const html: typeof displayModule.html;
  /** Markdown, as a tagged template or a call. */
  const md: typeof displayModule.md;
  /** SVG, as a tagged template or a call. */
  const svg: typeof displayModule.svg;
  /** An image from PNG or JPEG bytes, or from a tensor of values in [0, 1]. */
  const image: typeof displayModule.image;
  /** A plotly chart: traces, or `{ data, layout, config }`. */
  const plot: typeof plotlyModule.plot;
  /** Jupyter comms: open one, or register a target the frontend opens. */
  const comms: CommManager;
  /**
   * Asks the notebook user for a line of text (stdin channel).
   *
   * @param prompt the question
   * @param options password: hide what is typed
   * @returns what the user typed
   */
  function input(
    prompt?: string,
    options?: { password?: boolean },
  ): Promise<string>;
}
