import assert from "node:assert/strict";
import { TypeChecker } from "../../kernel/type_checker.ts";

const NOTEBOOKS = new URL("../../notebooks/", import.meta.url).pathname;

Deno.test("TypeChecker: its worker checks cells over the cells added before, in order", async () => {
  const warnings: string[] = [];
  const checker = new TypeChecker(NOTEBOOKS, "warn", {
    debug() {},
    warn: (line) => warnings.push(line),
  });
  try {
    checker.add("const count: number = 1;");
    const [first, second] = await Promise.all([
      checker.check("count.toFixed()"),
      checker.check('const n: number = "x";'),
    ]);
    assert.deepEqual(first, { ok: true, diagnostics: [] });
    assert.equal(second.ok && second.diagnostics[0].code, 2322);
    assert.deepEqual(
      await checker.check("count", 0),
      { ok: false, reason: "the type check took longer than 0 s" },
    );
  } finally {
    checker.close();
  }
  assert.deepEqual(
    await checker.check("1"),
    { ok: false, reason: "the kernel is shutting down" },
  );
  assert.deepEqual(warnings, []);
});
