import assert from "node:assert/strict";
import { Executor } from "../../kernel/executor.ts";
import { transpileCell } from "../../kernel/transpile.ts";

// IPython shows nothing for a cell whose value is None; ours shows nothing for
// undefined, also when the last expression is a promise that resolves to it
// (a trailing display(), an async function without a return value).
Deno.test("Executor gives no result for undefined, a trailing display() or a promise of undefined, and keeps other values", async () => {
  const executor = new Executor(
    {
      cwd: Deno.cwd(),
      permissions: ["--allow-read"],
      logger: { debug() {}, warn() {} },
    },
    { stream() {}, event() {}, exited() {} },
  );
  try {
    await executor.ready;
    let id = 0;
    const result = async (code: string) => {
      const cell = transpileCell(code, `file://${Deno.cwd()}/`);
      assert.ok(cell.ok);
      const done = await executor.evaluate({
        op: "eval",
        id: String(++id),
        code: cell.code,
        map: cell.map,
        url: `test:${id}`,
        name: String(id),
      });
      assert.equal(done.type === "done" && done.status, "ok");
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
    executor.kill();
    await executor.ended;
  }
});
