/**
 * Driving a notebook in JupyterLab 4 or Notebook 7 (both started with
 * --expose-app-in-browser, so `window.jupyterapp` is the application): open
 * it, wait for its kernel, run every cell through the app's own command, and
 * read the notebook back as nbformat JSON from the document model.
 */
import type { Page } from "playwright-core";

/** One output of a code cell, as nbformat stores it. */
export interface CellOutput {
  output_type: string;
  data?: Record<string, unknown>;
  text?: string | string[];
  ename?: string;
  evalue?: string;
}

/** One cell as nbformat stores it. */
export interface NotebookCell {
  cell_type: string;
  execution_count?: number | null;
  outputs?: CellOutput[];
  source: string | string[];
}

/** The state of a notebook page. */
interface RunState {
  status: string;
  executed: number;
  total: number;
  errors: string[];
}

const STATE = `(() => {
  const widget = window.jupyterapp.shell.currentWidget;
  const notebook = widget.context.model.toJSON();
  const code = notebook.cells.filter((c) => c.cell_type === "code");
  const errors = code.flatMap((c) => c.outputs.filter((o) => o.output_type === "error")
    .map((o) => o.ename + ": " + o.evalue));
  return {
    status: widget.sessionContext.kernelDisplayStatus,
    executed: code.filter((c) => c.execution_count != null).length,
    total: code.length,
    errors,
  };
})()`;

/**
 * Opens a notebook page and waits until its kernel is idle.
 *
 * @param page the browser page
 * @param url the notebook's URL (`/lab/tree/...` or `/notebooks/...`)
 * @param kernelName the kernelspec the notebook must run with
 * @throws {Error} when the page runs another kernel or none within a minute
 */
export async function openNotebook(
  page: Page,
  url: string,
  kernelName = "deno-webgpu",
): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(
    `window.jupyterapp?.shell?.currentWidget?.sessionContext?.kernelDisplayStatus === "idle"`,
    undefined,
    { timeout: 90_000, polling: 250 },
  );
  const name = await page.evaluate(
    `window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.name`,
  );
  if (name !== kernelName) {
    throw new Error(`${url} opened with kernel ${name}, not ${kernelName}`);
  }
}

/**
 * Runs every cell with the app's "run all" command and waits for the last
 * one (or the first error: the app stops there).
 *
 * @param page the browser page, on an open notebook
 * @param timeoutMs how long the whole notebook may take
 * @returns the notebook's cells with their outputs
 * @throws {Error} naming the error of a failed cell, or the cells left on a timeout
 */
export async function runAll(
  page: Page,
  timeoutMs: number,
): Promise<NotebookCell[]> {
  await page.evaluate(
    `window.jupyterapp.commands.execute("notebook:run-all-cells")`,
  );
  const deadline = Date.now() + timeoutMs;
  let state = await page.evaluate(STATE) as RunState;
  while (Date.now() < deadline) {
    if (state.errors.length) {
      throw new Error(`A cell failed: ${state.errors.join("; ")}`);
    }
    if (state.executed === state.total && state.status === "idle") break;
    await new Promise((resolve) => setTimeout(resolve, 500));
    state = await page.evaluate(STATE) as RunState;
  }
  if (state.executed < state.total || state.status !== "idle") {
    throw new Error(
      `The notebook did not finish in ${timeoutMs} ms: ${state.executed} of ${state.total} cells ran, kernel ${state.status}`,
    );
  }
  // Outputs still drawing (plotly, images) settle after the kernel is idle.
  await page.waitForTimeout(500);
  return await page.evaluate(
    `window.jupyterapp.shell.currentWidget.context.model.toJSON().cells`,
  ) as NotebookCell[];
}

/**
 * Shuts the notebook's kernel down and leaves the document clean, so the
 * next navigation meets no "leave page?" prompt (Lab asks on a dirty one).
 *
 * @param page the browser page, on an open notebook
 */
export async function closeNotebook(page: Page): Promise<void> {
  await page.evaluate(`(async () => {
    const widget = window.jupyterapp.shell.currentWidget;
    widget.context.model.dirty = false;
    await widget.sessionContext.shutdown();
  })()`);
}

/**
 * How many images in the page's outputs have actually decoded (an image
 * output, or an `<img>` in HTML as the image grid's preferred text/html).
 *
 * @param page the browser page
 * @returns the count of `img` with a non-zero natural width
 */
export async function decodedImages(page: Page): Promise<number> {
  return await page.evaluate(
    `[...document.querySelectorAll(".jp-OutputArea-output img")]
      .filter((img) => img.complete && img.naturalWidth > 0).length`,
  ) as number;
}

/**
 * Runs one code cell (by index among all cells) and waits for the kernel
 * to go idle with that cell executed.
 *
 * @param page the browser page, on an open notebook
 * @param index the cell's index in the notebook
 * @param timeoutMs how long the cell may take
 * @param wait false to return as soon as the cell is sent (a cell that runs while the test acts)
 * @returns the cell as nbformat stores it, outputs included
 */
export async function runCell(
  page: Page,
  index: number,
  timeoutMs: number,
  wait = true,
): Promise<NotebookCell> {
  // Not awaited in the page: the command's promise ends with the cell,
  // and a cell that runs while the test acts (clicks Stop) must not block.
  await page.evaluate(`(() => {
    const widget = window.jupyterapp.shell.currentWidget;
    widget.content.activeCellIndex = ${index};
    void window.jupyterapp.commands.execute("notebook:run-cell");
  })()`);
  if (wait) await waitForCell(page, index, timeoutMs);
  return await cellAt(page, index);
}

/**
 * Waits until the cell has an execution count and the kernel is idle.
 *
 * @throws {Error} naming the cell's error output, or on a timeout
 */
export async function waitForCell(
  page: Page,
  index: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const cell = await cellAt(page, index);
    const error = cell.outputs?.find((o) => o.output_type === "error");
    if (error) {
      throw new Error(`Cell ${index} failed: ${error.ename}: ${error.evalue}`);
    }
    const status = await page.evaluate(
      `window.jupyterapp.shell.currentWidget.sessionContext.kernelDisplayStatus`,
    );
    if (cell.execution_count != null && status === "idle") return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Cell ${index} did not finish in ${timeoutMs} ms`);
}

async function cellAt(page: Page, index: number): Promise<NotebookCell> {
  return await page.evaluate(
    `window.jupyterapp.shell.currentWidget.context.model.toJSON().cells[${index}]`,
  ) as NotebookCell;
}

/** The text/plain (or stream) text of a cell's outputs, joined. */
export function cellText(cell: NotebookCell): string {
  return (cell.outputs ?? []).map((o) => {
    const text = o.data?.["text/plain"] ?? o.text ?? "";
    return Array.isArray(text) ? text.join("") : String(text);
  }).join("\n");
}
