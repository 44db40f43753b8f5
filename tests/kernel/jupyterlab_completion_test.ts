import assert from "node:assert/strict";
import { notebookOf, SHOTS, withLab } from "./_lab_fixture.ts";
import { closeNotebook, runAll } from "./_lab_page.ts";
import type { Page } from "playwright-core";

// JupyterLab 4's completer (from the project's .venv, in Debian's headless
// Chromium) reads the kernel's `_jupyter_types_experimental` metadata: after
// a call, Tab lists the members of the type the language service works out,
// each with its type label.

const NOTEBOOK = notebookOf([
  'import { tensor } from "../lib/mod.ts";\nconst t = tensor([[1, 2], [3, 4]]);',
  "t.shape",
]);

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
  fn: () =>
    withLab(
      { notebooks: { "completion.ipynb": NOTEBOOK } },
      async ({ page, open }) => {
        await open("completion.ipynb");
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
        await page.screenshot({ path: `${SHOTS}/lab_completion.png` })
          .catch(() => {});
        await page.keyboard.press("Escape");
        await closeNotebook(page);
      },
    ),
});
