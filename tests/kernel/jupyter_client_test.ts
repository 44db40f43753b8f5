import assert from "node:assert/strict";
import { runPythonCheck } from "./_python.ts";

Deno.test("the kernel passes every handler check through Debian's jupyter_client", async () => {
  const run = await runPythonCheck("jupyter_client_e2e.py");
  const failed = run.output.split("\n").filter((line) =>
    line.startsWith("FAIL")
  );
  assert.equal(
    run.code,
    0,
    `jupyter_client checks failed:\n${failed.join("\n") || run.output}`,
  );
  assert.match(run.output, /\d+ passed, 0 failed/);
});
