import assert from "node:assert/strict";
import { assertIncludes, assertThrowsWith } from "./_assert.ts";
import {
  DISPLAY,
  html,
  image,
  md,
  svg,
  toMimeBundle,
} from "../../kernel/executor/display.ts";
import { plotlyBundle } from "../../kernel/executor/plotly.ts";
import { encodePng } from "../../kernel/executor/png.ts";

Deno.test("toMimeBundle() uses Symbol.for('Jupyter.display') and falls back to plain text", async () => {
  const custom = {
    [Symbol.for("Jupyter.display")]: () => ({ "text/html": "<i>me</i>" }),
  };
  assert.deepEqual(await toMimeBundle(custom), { "text/html": "<i>me</i>" });
  assert.deepEqual(await toMimeBundle({ a: [1, 2] }), {
    "text/plain": "{ a: [ 1, 2 ] }",
  });
  assert.deepEqual(await toMimeBundle("s"), { "text/plain": '"s"' });
});

Deno.test("html, md and svg are tagged templates that render as their MIME types", async () => {
  const n = 3;
  assert.deepEqual(await toMimeBundle(html`<b>${n}</b>`), {
    "text/html": "<b>3</b>",
  });
  assert.deepEqual((await toMimeBundle(md`# ${n}`))["text/markdown"], "# 3");
  assert.deepEqual(await toMimeBundle(svg("<svg/>")), {
    "image/svg+xml": "<svg/>",
  });
});

Deno.test("image() shows PNG bytes and tensors of values in [0, 1]", async () => {
  const png = await encodePng(new Uint8Array([0, 255, 128, 64]), 2, 2, 1);
  assert.deepEqual(Object.keys(await toMimeBundle(image(png))), [
    "image/png",
    "text/plain",
  ]);
  const tensor = {
    shape: [3, 2, 2],
    data: () => Promise.resolve(new Float32Array(12).fill(0.5)),
  };
  const bundle = await image(tensor)[DISPLAY]();
  const bytes = Uint8Array.from(
    atob(bundle["image/png"] as string),
    (c) => c.charCodeAt(0),
  );
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  assertThrowsWith(
    () => image(new Uint8Array([1, 2, 3])),
    TypeError,
    "PNG or JPEG",
  );
  assertThrowsWith(
    () => image({ shape: [2, 4, 4], data: () => Promise.resolve([]) }),
    TypeError,
    "[2,4,4]",
  );
});

Deno.test("plotlyBundle() sends plotly JSON and an HTML fallback that draws with window.Plotly", () => {
  const bundle = plotlyBundle({
    data: [{ y: [1, 3, 2] }],
    layout: { title: { text: "t" } },
  });
  assert.deepEqual(bundle["application/vnd.plotly.v1+json"], {
    data: [{ y: [1, 3, 2] }],
    layout: { title: { text: "t" } },
    config: {},
  });
  const page = bundle["text/html"] as string;
  assertIncludes(page, "Plotly.newPlot");
  // Outside the kernel, the first figure carries the library inline, with AMD hidden.
  assertIncludes(page, "window.define = undefined");
  assert.ok(
    !(plotlyBundle({ data: [] })["text/html"] as string).includes(
      "window.define = undefined",
    ),
    "library sent once",
  );
});
