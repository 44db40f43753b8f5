import assert from "node:assert/strict";
import { assertIncludes } from "./_assert.ts";
import { runPythonCheck } from "./_python.ts";

// %time and %%time time a line or a cell (wall and GPU-synchronised) and keep
// its result and declarations; other % magics fail with the TypeScript way.
Deno.test("%%time and %time print wall and GPU-synchronised time; other magics name the TypeScript way", async () => {
  const { code, output } = await runPythonCheck("magics_run.py");
  assert.equal(code, 0, output);
  const cells = output.trim().split("\n").filter((l) => l.startsWith("{"))
    .map((line) => JSON.parse(line));
  assert.equal(cells.length, 5, output);
  const [cellTime, after, lineTime, pip, unknown] = cells;
  const timing = /^Wall time: [0-9.]+ ms, GPU-synchronised: [0-9.]+ ms\n$/;
  assert.equal(cellTime.status, "ok", output);
  assert.match(cellTime.stdout, timing);
  assert.equal(cellTime.result, "42");
  assert.equal(after.result, "43"); // the timed cell's const is still there
  assert.match(lineTime.stdout, timing);
  assert.equal(lineTime.result, "2");
  assert.equal(pip.status, "error");
  assertIncludes(pip.error, "UsageError: %pip is an IPython magic");
  assertIncludes(pip.error, "npm:");
  assertIncludes(unknown.error, "`%time` and `%%time` are the magics");
});
