import assert from "node:assert/strict";
import { install } from "../../kernel/install.ts";
import { HeadlessPage } from "./_cdp.ts";

// A notebook executed through the kernel and exported with nbconvert renders
// its charts offline: plotly.js travels inside the HTML once, and a chart
// updated through its display id shows its last state.
Deno.test({
  name:
    "charts render offline in nbconvert's HTML export of an executed notebook",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "deno-webgpu-nbconvert-" });
    let page: HeadlessPage | undefined;
    try {
      await install({ prefix: root });
      const { code, stdout, stderr } = await new Deno.Command(
        "/usr/bin/python3",
        {
          args: [new URL("nbconvert_html.py", import.meta.url).pathname, root],
          cwd: root,
          stdin: "null",
          env: {
            JUPYTER_PATH: `${root}/share/jupyter`,
            JUPYTER_RUNTIME_DIR: `${root}/runtime`,
          },
        },
      ).output();
      const decoder = new TextDecoder();
      assert.equal(code, 0, decoder.decode(stdout) + decoder.decode(stderr));
      const html = await Deno.readTextFile(`${root}/plots.html`);
      assert.equal(
        html.split("window.define = undefined").length - 1,
        1,
        "plotly.js once",
      );
      page = await HeadlessPage.open();
      await page.send("Page.navigate", { url: `file://${root}/plots.html` });
      await page.waitFor(
        "document.querySelectorAll('.js-plotly-plot svg.main-svg').length >= 2",
        60_000,
      );
      const points = await page.evaluate(
        "[...document.querySelectorAll('.js-plotly-plot')].map((p) => p.data[0].y.length)",
      );
      assert.deepEqual(points, [4, 3]);
    } finally {
      await page?.close();
      await Deno.remove(root, { recursive: true });
    }
  },
});
