import assert from "node:assert/strict";
import { notebookOf, SHOTS, withLab } from "./_lab_fixture.ts";
import { cellText, closeNotebook, runCell, waitForCell } from "./_lab_page.ts";

// Widgets in a real frontend: JupyterLab 4 with ipywidgets 8's extension
// (jupyterlab_widgets, pinned in scripts/setup.sh's .venv) in headless
// Chromium. A slider moved in the browser is what the next cell reads, and
// the training dashboard's Stop ends a running loop after its batch with
// the model and checkpoint kept. The loop is a tiny linear model on 4x4
// images so that it runs in seconds on lavapipe; notebook 04's AlexNet
// takes minutes a batch there, too slow for this check (nbclient runs 04
// in tests/notebooks/, where no widget frontend exists and train() falls
// back to its plain outputs). The dashboard's screenshot goes to
// out/browser/dashboard.png (docs/images/dashboard.png is a copy of one).

const CELLS = [
  `import * as torch from "../lib/mod.ts";
const { widgets, nn, data, train } = torch;
const slider = new widgets.IntSlider({ value: 3, min: 0, max: 10, description: "k" });
slider`,
  "slider.value",
  `function quarters(length: number) {
  return {
    length,
    get(i: number) {
      const label = i % 4;
      const pixels = new Uint8Array(16).map((_, p) => (p * 5 + i) % 30);
      pixels[(label >> 1) * 8 + (label & 1) * 2] = 255;
      return [{ data: pixels, channels: 1, height: 4, width: 4 }, label] as const;
    },
  };
}
const checkpoint = Deno.makeTempDirSync() + "/stopped.safetensors";
const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(16, 4));
const history = await train(
  model,
  new data.DataLoader(quarters(4096), { batchSize: 4 }),
  new data.DataLoader(quarters(16), { batchSize: 8 }),
  { epochs: 20, lr: 0.1, checkpoint, pointsPerEpoch: 40 },
);`,
  `const saved = await torch.load(checkpoint);
const state = model.stateDict();
let same = true;
for (const name of Object.keys(state)) {
  same &&= JSON.stringify(Array.from(await saved[name].data())) ===
    JSON.stringify(Array.from(await state[name].data()));
}
JSON.stringify({
  stopped: history.stopped,
  epochs: history.epochs.length,
  metadata: (await torch.loadMetadata(checkpoint)).stopped,
  same,
})`,
];

const NOTEBOOK = notebookOf(CELLS);

Deno.test({
  name:
    "JupyterLab 4 + ipywidgets 8: a slider moved in the browser is what a cell reads; the dashboard's Stop ends training after the batch, keeping model and checkpoint",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withLab({
      notebooks: { "widgets.ipynb": NOTEBOOK },
      failureShot: "widgets_failure.png",
    }, async ({ page, open }) => {
      await page.setViewportSize({ width: 1100, height: 900 });
      await open("widgets.ipynb");

      // The slider renders as a widget view, not as its text form.
      await runCell(page, 0, 120_000);
      const handle = page.locator(".widget-slider .noUi-handle").first();
      await handle.waitFor({ timeout: 30_000 });
      await handle.focus();
      await page.keyboard.press("ArrowRight");
      await page.keyboard.press("ArrowRight");
      await page.locator(".widget-readout", { hasText: "5" }).first().waitFor({
        timeout: 10_000,
      });
      // The update leaves at once; give it the round trip to the kernel.
      await page.waitForTimeout(500);
      console.log("slider moved to 5 in the browser");
      const read = await runCell(page, 1, 60_000);
      assert.equal(cellText(read).trim(), "5");

      // The dashboard: start the loop, wait for curves, then Stop.
      await runCell(page, 2, 0, false);
      console.log("training started");
      const stop = page.locator("button.widget-button", { hasText: "Stop" });
      await stop.waitFor({ timeout: 120_000 });
      const panel = page.locator(".widget-vbox", { has: stop }).first();
      await panel.locator(
        ".widget-output .js-plotly-plot, .widget-output .jp-RenderedPlotly",
      )
        .first().waitFor({ timeout: 120_000 });
      await page.locator(".widget-label", { hasText: /batch \d+\/1024/ })
        .first()
        .waitFor({ timeout: 60_000 });
      console.log("dashboard drawn; clicking Stop");
      await page.waitForTimeout(1500);
      await panel.scrollIntoViewIfNeeded();
      await panel.screenshot({ path: `${SHOTS}/dashboard.png` });
      await stop.click();
      await waitForCell(page, 2, 120_000);
      const result = await runCell(page, 3, 60_000);
      // The cell's value is a string: its text/plain form is quoted ('...').
      const report = JSON.parse(cellText(result).trim().replace(/^'|'$/g, ""));
      assert.equal(report.epochs, 0, JSON.stringify(report));
      assert.ok(
        report.stopped.batch > 0 && report.stopped.batch < 1024,
        JSON.stringify(report),
      );
      assert.match(report.metadata, /^epoch 1, batch \d+$/);
      assert.equal(report.same, true, "the checkpoint holds the stopped model");
      await page.screenshot({
        path: `${SHOTS}/widgets_after_stop.png`,
        fullPage: true,
      });
      await closeNotebook(page);
    }),
});
