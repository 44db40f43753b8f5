import assert from "node:assert/strict";
import { HeadlessPage } from "./_cdp.ts";
import { notebookOf, startJupyter } from "./_jupyter_venv.ts";

// The browser check: Debian's classic Notebook 6 server and headless Chromium
// run a cell that makes a plotly chart; the chart's SVG must be in the page
// (Notebook 6 has no plotly renderer, so this exercises the text/html
// fallback and its RequireJS handling). The screenshot stays in out/.
const SCREENSHOT = new URL(
  "../../out/kernel_browser_plot.png",
  import.meta.url,
);

const NOTEBOOK = notebookOf([
  "plot({ data: [{ y: [1, 4, 2, 5], type: 'scatter', name: 'loss' }], layout: { title: { text: 'browser check' } } })",
]);

Deno.test({
  name:
    "a plotly chart renders as SVG in classic Notebook 6 under headless Chromium",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    // Debian's Notebook 6, not the venv's Notebook 7: it serves its cwd.
    const server = await startJupyter({
      program: "/usr/bin/jupyter-notebook",
      args: [
        "--no-browser",
        "--allow-root",
        "--NotebookApp.token=",
        "--NotebookApp.password=",
      ],
      prepare: (served) =>
        Deno.writeTextFile(`${served}/plot.ipynb`, JSON.stringify(NOTEBOOK)),
    });
    const { base } = server;
    let page: HeadlessPage | undefined;
    try {
      page = await HeadlessPage.open();
      await page.send("Page.navigate", { url: `${base}/notebooks/plot.ipynb` });
      await page.waitFor(
        "window.Jupyter.notebook.kernel.is_connected()",
        60_000,
      );
      await page.evaluate("Jupyter.notebook.execute_all_cells()");
      await page.waitFor(
        "document.querySelector('.js-plotly-plot svg.main-svg')",
        60_000,
      );
      const traces = await page.evaluate(
        "document.querySelectorAll('.js-plotly-plot .scatterlayer .trace').length",
      );
      assert.equal(traces, 1);
      await new Promise((resolve) => setTimeout(resolve, 500)); // let the chart finish drawing
      await Deno.mkdir(new URL(".", SCREENSHOT), { recursive: true });
      await Deno.writeFile(SCREENSHOT, await page.screenshot());
    } finally {
      await page?.close();
      await server.stop();
    }
  },
});
