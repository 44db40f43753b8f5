import assert from "node:assert/strict";
import {
  Executor,
  withInspectorAccess,
} from "../../kernel/executor_process.ts";
import { transpileCell } from "../../kernel/transpile.ts";

Deno.test("withInspectorAccess() adds --allow-sys unless everything is allowed", () => {
  assert.deepEqual(withInspectorAccess(["--allow-all"]), ["--allow-all"]);
  assert.deepEqual(withInspectorAccess(["--allow-read"]), [
    "--allow-read",
    "--allow-sys",
  ]);
  assert.deepEqual(
    withInspectorAccess(["--allow-sys=hostname", "--allow-net"]),
    ["--allow-net", "--allow-sys"],
  );
});

Deno.test("Executor evaluates cells with state, and streams output before the result", async () => {
  const printed: string[] = [];
  const executor = new Executor(
    {
      cwd: Deno.cwd(),
      permissions: ["--allow-read"],
      logger: { debug() {}, warn() {} },
    },
    {
      stream: (name, text) => printed.push(`${name}:${text}`),
      event() {},
      exited() {},
    },
  );
  try {
    await executor.ready;
    const run = async (code: string, id: string) => {
      const cell = transpileCell(code, `file://${Deno.cwd()}/`);
      assert.ok(cell.ok);
      return await executor.evaluate({
        op: "eval",
        id,
        code: cell.code,
        map: cell.map,
        url: `test:${id}`,
        name: id,
      });
    };
    await run("const base: number = 40;", "a");
    const done = await run(
      "console.log('before'); console.error('oops'); base + 2",
      "b",
    );
    assert.deepEqual(done, {
      type: "done",
      id: "b",
      status: "ok",
      result: { "text/plain": "42" },
    });
    assert.deepEqual(printed.sort(), ["stderr:oops\n", "stdout:before\n"]);
  } finally {
    executor.kill();
    await executor.ended;
  }
});
