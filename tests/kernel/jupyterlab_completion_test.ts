import assert from "node:assert/strict";
import { ROOT, startJupyter } from "./_jupyter_venv.ts";
import { closeNotebook, openNotebook, runAll } from "./_lab_page.ts";
import { openOfflineBrowser } from "./_playwright.ts";
import type { Page } from "playwright-core";

// JupyterLab 4's completer (from the project's .venv, in Debian's headless
// Chromium) reads the kernel's `_jupyter_types_experimental` metadata: after
// a call, Tab lists the members of the type the language service works out,
// each with its type label.

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
    'import { tensor } from "../lib/mod.ts";\nconst t = tensor([[1, 2], [3, 4]]);',
    "t.shape",
  ].map((source, i) => ({
    cell_type: "code",
    id: `cell-${i}`,
    metadata: {},
    execution_count: null,
    outputs: [],
    source,
  })),
};

const ITEMS =
  `[...document.querySelectorAll(".jp-Completer-item")].map((item) => [
  item.querySelector(".jp-Completer-match")?.textContent ?? "",
  // The type as the completer shows it: the item's title, or the label
  // beside it where Lab is set to show one.
  item.title || item.querySelector(".jp-Completer-typeExtended")?.textContent || "",
])`;

/** The time of one complete_request after a call, sent from the page. */
async function completeTime(page: Page): Promise<number> {
  return await page.evaluate(`(async () => {
    const { kernel } = window.jupyterapp.shell.currentWidget.sessionContext.session;
    const started = performance.now();
    await kernel.requestComplete({ code: "t.matmul(t).", cursor_pos: 12 });
    return performance.now() - started;
  })()`) as number;
}

Deno.test({
  name:
    "JupyterLab 4's completer lists a call's members with the kernel's type labels",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const server = await startJupyter({
      program: "jupyter-lab",
      args: [
        "--no-browser",
        "--allow-root",
        "--expose-app-in-browser",
        "--ServerApp.token=",
        "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",
        "--LabApp.news_url=",
      ],
      prepare: async (served) => {
        await Deno.mkdir(`${served}/notebooks`);
        await Deno.writeTextFile(
          `${served}/notebooks/completion.ipynb`,
          JSON.stringify(NOTEBOOK),
        );
        for (const folder of ["lib", "shaders"]) {
          await Deno.symlink(`${ROOT}${folder}`, `${served}/${folder}`);
        }
      },
    });
    const { page, close } = await openOfflineBrowser();
    try {
      await openNotebook(
        page,
        `${server.base}/lab/tree/notebooks/completion.ipynb?reset`,
      );
      await runAll(page, 180_000);
      // The completer waits 1 s for a provider (its providerTimeout). The
      // kernel's first request after the library's import builds the
      // program (0.5-2 s, on the service's thread, while a user reads the
      // output); this one stands for the user's first Tab.
      const first = await completeTime(page);
      const warm = await completeTime(page);
      console.log(
        `complete_request from the page: first ${first.toFixed(0)} ms, then ${
          warm.toFixed(0)
        } ms`,
      );
      const editor = page.locator(".jp-Cell").last().locator(".cm-content");
      await editor.click();
      await page.keyboard.press("Control+End");
      await page.keyboard.press("Enter");
      await page.keyboard.type("t.matmul(t).");
      const source = await page.evaluate(
        `window.jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel.getSource()`,
      );
      assert.equal(source, "t.shape\nt.matmul(t).");
      // What Tab does in a cell, through the app's command.
      await page.evaluate(
        `window.jupyterapp.commands.execute("completer:invoke-notebook")`,
      );
      await page.locator(".jp-Completer-item").first().waitFor({
        timeout: 60_000,
      });
      const items = new Map(await page.evaluate(ITEMS) as [string, string][]);
      assert.equal(items.get("shape"), "property", `${[...items]}`);
      assert.equal(items.get("matmul"), "method", `${[...items]}`);
      assert.ok(!items.has("Array"), "the members, not the globals");
      await page.screenshot({ path: `${ROOT}out/browser/lab_completion.png` })
        .catch(() => {});
      await page.keyboard.press("Escape");
      await closeNotebook(page);
    } catch (error) {
      await page.screenshot({ path: `${ROOT}out/browser/failure.png` })
        .catch(() => {});
      throw new Error(`${error}\n--- server log ---\n${server.log()}`);
    } finally {
      await close();
      await server.stop();
    }
  },
});
