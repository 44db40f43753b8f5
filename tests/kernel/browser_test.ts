import assert from "node:assert/strict";
import { install } from "../../kernel/install.ts";
import { HeadlessPage } from "./_cdp.ts";
import { freePort } from "./_jupyter_venv.ts";

// The browser check: Debian's classic Notebook 6 server and headless Chromium
// run a cell that makes a plotly chart; the chart's SVG must be in the page
// (Notebook 6 has no plotly renderer, so this exercises the text/html
// fallback and its RequireJS handling). The screenshot stays in out/.
const SCREENSHOT = new URL(
  "../../out/kernel_browser_plot.png",
  import.meta.url,
);

const NOTEBOOK = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {
    kernelspec: {
      name: "deno-webgpu",
      display_name: "Deno WebGPU (TypeScript)",
      language: "typescript",
    },
  },
  cells: [
    {
      cell_type: "code",
      id: "plot",
      metadata: {},
      execution_count: null,
      outputs: [],
      source:
        "plot({ data: [{ y: [1, 4, 2, 5], type: 'scatter', name: 'loss' }], layout: { title: { text: 'browser check' } } })",
    },
  ],
};

async function waitForServer(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `The notebook server did not answer at ${url} within ${timeoutMs} ms`,
  );
}

Deno.test({
  name:
    "a plotly chart renders as SVG in classic Notebook 6 under headless Chromium",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "deno-webgpu-browser-" });
    await install({ prefix: root });
    await Deno.mkdir(`${root}/notebooks`);
    await Deno.writeTextFile(
      `${root}/notebooks/plot.ipynb`,
      JSON.stringify(NOTEBOOK),
    );
    const port = freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = new Deno.Command("jupyter-notebook", {
      args: [
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        `--port=${port}`,
        "--NotebookApp.token=",
        "--NotebookApp.password=",
        `--notebook-dir=${root}/notebooks`,
      ],
      cwd: `${root}/notebooks`,
      stdin: "null",
      stdout: "null",
      stderr: "null",
      env: {
        JUPYTER_PATH: `${root}/share/jupyter`,
        JUPYTER_RUNTIME_DIR: `${root}/runtime`,
        JUPYTER_DATA_DIR: `${root}/data`,
        JUPYTER_CONFIG_DIR: `${root}/config`,
      },
    }).spawn();
    let page: HeadlessPage | undefined;
    try {
      await waitForServer(`${base}/api`, 30_000);
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
      // Shut the kernels down through the API, then the server.
      const sessions = await fetch(`${base}/api/sessions`).then((r) => r.json())
        .catch(() => []);
      for (const session of sessions) {
        await fetch(`${base}/api/kernels/${session.kernel.id}`, {
          method: "DELETE",
        }).then((r) => r.body?.cancel())
          .catch(() => {});
      }
      server.kill("SIGTERM");
      await server.status;
      await Deno.remove(root, { recursive: true });
    }
  },
});
