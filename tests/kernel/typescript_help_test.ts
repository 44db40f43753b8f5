import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runPythonCheck } from "./_python.ts";

Deno.test("completion, signature help and inspection from the language service, through jupyter_client", async () => {
  const lib = fileURLToPath(new URL("../../lib/mod.ts", import.meta.url));
  const run = await runPythonCheck("typescript_help_e2e.py", [lib]);
  const failed = run.output.split("\n").filter((line) =>
    line.startsWith("FAIL")
  );
  assert.equal(
    run.code,
    0,
    `checks failed:\n${failed.join("\n") || run.output}`,
  );
  assert.match(run.output, /\d+ passed, 0 failed/);
  console.log(
    run.output.split("\n").filter((line) => line.startsWith("info")).join(
      "\n",
    ),
  );
});
