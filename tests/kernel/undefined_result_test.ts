import assert from "node:assert/strict";
import { startExecutor } from "./_executor.ts";

// IPython shows nothing for a cell whose value is None; ours shows nothing for
// undefined, also when the last expression is a promise that resolves to it
// (a trailing display(), an async function without a return value).
Deno.test("Executor gives no result for undefined, a trailing display() or a promise of undefined, and keeps other values", async () => {
  const test = await startExecutor(["--allow-read"]);
  try {
    const result = async (code: string) => {
      const done = await test.run(code);
      assert.equal(done.type === "done" && done.status, "ok", code);
      return (done as { result: unknown }).result;
    };
    for (
      const code of [
        "undefined",
        "display(1)",
        "Promise.resolve(undefined)",
        "(async () => {})()",
        "let a = 1;",
      ]
    ) assert.equal(await result(code), null, code);
    assert.deepEqual(await result("Promise.resolve(5)"), {
      "text/plain": "5",
    });
    assert.deepEqual(await result("null"), { "text/plain": "null" });
  } finally {
    await test.stop();
  }
});
