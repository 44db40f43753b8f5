import assert from "node:assert/strict";
import { runPythonCheck } from "./_python.ts";

Deno.test("the widget protocol (ipywidgets 8, version 2.1.0) through the real kernel and Debian's jupyter_client", async () => {
  const run = await runPythonCheck("widgets_e2e.py", [], { log: true });
  const failed = run.output.split("\n").filter((line) =>
    line.startsWith("FAIL")
  );
  assert.equal(
    run.code,
    0,
    `widget checks failed:\n${failed.join("\n") || run.output}`,
  );
  assert.match(run.output, /\d+ passed, 0 failed/);
});
