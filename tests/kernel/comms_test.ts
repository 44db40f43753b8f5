import assert from "node:assert/strict";
import { runPythonCheck } from "./_python.ts";

Deno.test("comms work both ways through Debian's jupyter_client, also while a cell runs", async () => {
  const run = await runPythonCheck("comms_e2e.py", [], { log: true });
  const failed = run.output.split("\n").filter((line) =>
    line.startsWith("FAIL")
  );
  assert.equal(
    run.code,
    0,
    `comm checks failed:\n${failed.join("\n") || run.output}`,
  );
  assert.match(run.output, /\d+ passed, 0 failed/);
});
