import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { ROOT } from "./_jupyter_venv.ts";
import { type LabOptions, notebookOf, SHOTS, withLab } from "./_lab_fixture.ts";
import {
  closeNotebook,
  decodedImages,
  type NotebookCell,
  openNotebook,
  runAll,
} from "./_lab_page.ts";

// JupyterLab 4 and Notebook 7 (pinned in scripts/setup.sh's .venv) in
// Debian's headless Chromium, beside the classic Notebook 6 check in
// browser_test.ts. The browser reaches nothing but loopback, so plots draw
// offline. Screenshots go to out/browser/ (look at them after a change to
// the display code).
//
// What runs, for a CI of a few minutes on lavapipe: notebooks 01-03 whole in
// Lab (tensors and timing tables, the architecture's HTML table and plotly
// chart, augmented images), and a short notebook of one plot, one image and
// one tensor table in Lab without the plotly extension and in Notebook 7.
// Notebooks 04 and 05 train for minutes even in their small setting; they
// run through the same kernel with nbclient in tests/notebooks/.

// A chart drawn by plotly's renderer extension from the JSON, and one drawn
// by the text/html fallback's script.
// (plotly draws a few svg.main-svg layers per chart.)
const BY_EXTENSION = ".jp-RenderedPlotly:has(svg.main-svg)";
const BY_FALLBACK =
  '.jp-OutputArea-output[data-mime-type="text/html"] .js-plotly-plot:has(svg.main-svg)';
const SHORT_NOTEBOOK = notebookOf([
  'import * as torch from "../lib/mod.ts";',
  "plot({ data: [{ y: [1, 4, 2, 5], type: 'scatter', name: 'loss' }], layout: { title: { text: 'offline chart' } } })",
  "image(torch.rand([3, 32, 48]))",
  "torch.tensor([[1, 2, 3], [4, 5, 6]])",
]);

/** Copies the course notebooks into the served notebooks/ (the originals stay untouched). */
async function courseNotebooks(served: string): Promise<void> {
  for (const entry of Deno.readDirSync(`${ROOT}notebooks`)) {
    if (!entry.name.endsWith(".ipynb")) continue;
    await Deno.copyFile(
      `${ROOT}notebooks/${entry.name}`,
      `${served}/notebooks/${entry.name}`,
    );
  }
}

/** The course notebooks and the short one, served by program. */
function courseLab(program: string, hide?: RegExp): LabOptions {
  return {
    program,
    hide,
    notebooks: { "short.ipynb": SHORT_NOTEBOOK },
    prepare: courseNotebooks,
  };
}

function outputsOf(cells: NotebookCell[]): string[] {
  return cells.flatMap((cell) =>
    (cell.outputs ?? []).flatMap((output) => Object.keys(output.data ?? {}))
  );
}

Deno.test({
  name:
    "JupyterLab 4 shows the kernel's logo in the launcher and runs notebooks 01-03 with plotly's renderer extension",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withLab(courseLab("jupyter-lab"), async ({ base, page, blocked, open }) => {
      await page.goto(`${base}/lab`);
      const card = page.locator(
        '.jp-LauncherCard[data-category="Notebook"][title="Deno WebGPU (TypeScript)"]',
      );
      await card.waitFor({ timeout: 90_000 });
      const logo = card.locator("img");
      assert.match(
        await logo.getAttribute("src") ?? "",
        /kernelspecs\/deno-webgpu\/logo-64x64\.png/,
      );
      await page.waitForFunction(
        `document.querySelector('.jp-LauncherCard[title="Deno WebGPU (TypeScript)"] img')?.naturalWidth === 64`,
        undefined,
        { timeout: 10_000 },
      );
      await page.screenshot({ path: `${SHOTS}/lab_launcher.png` });

      const seen: string[] = [];
      for (
        const name of [
          "01_tensors_on_webgpu",
          "02_alexnet_architecture",
          "03_data_augmentation",
        ]
      ) {
        // ?reset: a fresh workspace, not the tabs of the previous notebooks.
        await open(`${name}.ipynb`);
        const cells = await runAll(page, 300_000);
        seen.push(...outputsOf(cells));
        if (name === "02_alexnet_architecture") {
          // Drawn by the extension from the JSON, not the HTML fallback.
          assert.ok(
            await page.locator(BY_EXTENSION).count() >= 1,
            "no plotly chart drawn by the renderer extension in 02",
          );
          assert.ok(
            await page.locator(
              '.jp-OutputArea-output[data-mime-type="text/html"] table',
            ).count() >= 1,
            "no HTML table in 02",
          );
          await page.evaluate(
            `document.querySelector(${
              JSON.stringify(BY_EXTENSION)
            }).scrollIntoView()`,
          );
          await page.screenshot({ path: `${SHOTS}/lab_02_plot.png` });
        }
        if (name === "03_data_augmentation") {
          assert.ok(await decodedImages(page) >= 1, "no image decoded in 03");
          await page.evaluate(
            `[...document.querySelectorAll(".jp-OutputArea-output img")]
              .find((img) => img.naturalWidth > 0).scrollIntoView()`,
          );
          await page.screenshot({ path: `${SHOTS}/lab_03_images.png` });
        }
        await closeNotebook(page);
      }
      for (
        const mime of [
          "image/png",
          "text/html",
          "application/vnd.plotly.v1+json",
        ]
      ) {
        assert.ok(seen.includes(mime), `no ${mime} output in notebooks 01-03`);
      }
      console.log(`requests kept from leaving loopback: ${blocked.length}`);
    }),
});

/** Runs the short notebook and checks each of its outputs rendered. */
async function checkShortNotebook(
  page: Page,
  url: string,
  chart: string,
  shot: string,
): Promise<void> {
  await openNotebook(page, url);
  await runAll(page, 120_000);
  assert.equal(
    await page.locator(chart).count(),
    1,
    `no chart matches ${chart}`,
  );
  assert.equal(await decodedImages(page), 1, "the image did not decode");
  assert.equal(
    await page.locator(
      '.jp-OutputArea-output[data-mime-type="text/html"] table',
    ).count(),
    1,
    "the tensor's HTML table is missing",
  );
  await page.screenshot({ path: `${SHOTS}/${shot}`, fullPage: true });
}

Deno.test({
  name:
    "JupyterLab 4 without plotly's extension draws the chart offline from the text/html fallback",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withLab(
      // The browser never gets the extension's code, as if it were not
      // installed: Lab's disabledExtensions setting does not stop a mime
      // renderer extension (checked with Lab 4.6.6 and plotly 7.1.0).
      courseLab("jupyter-lab", /^\/lab\/extensions\/jupyterlab-plotly\//),
      ({ base, page }) =>
        checkShortNotebook(
          page,
          `${base}/lab/tree/notebooks/short.ipynb`,
          BY_FALLBACK,
          "lab_no_extension.png",
        ),
    ),
});

Deno.test({
  name:
    "Notebook 7 opens a notebook with the deno-webgpu kernel and shows its chart, image and table",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withLab(
      courseLab("jupyter-notebook"),
      ({ base, page }) =>
        checkShortNotebook(
          page,
          `${base}/notebooks/notebooks/short.ipynb`,
          BY_EXTENSION,
          "notebook7.png",
        ),
    ),
});
