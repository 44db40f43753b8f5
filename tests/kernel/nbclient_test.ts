import assert from "node:assert/strict";
import { runPythonCheck } from "./_python.ts";

Deno.test("nbclient executes a TypeScript notebook through the kernel with the expected outputs", async () => {
  const run = await runPythonCheck("nbclient_run.py");
  assert.equal(run.code, 0, run.output);
});
