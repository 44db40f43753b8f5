import assert from "node:assert/strict";
import { runPythonCheck } from "./_python.ts";

const NOTEBOOKS = new URL("../../notebooks/", import.meta.url).pathname;

Deno.test("type errors warn (and the cell runs) or, with DENO_WEBGPU_TYPECHECK=error, stop the cell: through jupyter_client", async () => {
  const run = await runPythonCheck("type_check_e2e.py", [NOTEBOOKS]);
  const failed = run.output.split("\n").filter((line) =>
    line.startsWith("FAIL")
  );
  assert.equal(
    run.code,
    0,
    `type check checks failed:\n${failed.join("\n") || run.output}`,
  );
  assert.match(run.output, /7 passed, 0 failed/);
});
