import assert from "node:assert/strict";
import { LanguageClient } from "../../kernel/language_client.ts";

const NOTEBOOKS = new URL("../../notebooks/", import.meta.url).pathname;

Deno.test("LanguageClient.checks(): its worker checks cells over the cells added before, in order", async () => {
  const warnings: string[] = [];
  const client = new LanguageClient(NOTEBOOKS, {
    debug() {},
    warn: (line) => warnings.push(line),
  });
  const checker = client.checks("warn");
  assert.equal(checker.mode, "warn");
  try {
    client.add("const count: number = 1;");
    const [first, second] = await Promise.all([
      checker.check("count.toFixed()"),
      checker.check('const n: number = "x";'),
    ]);
    assert.deepEqual(first, { ok: true, diagnostics: [] });
    assert.equal(second.ok && second.diagnostics[0].code, 2322);
    assert.deepEqual(
      await client.check("count", 0),
      { ok: false, reason: "the type check took longer than 0 s" },
    );
    // The same service completes over the same cells, with Deno's lib and
    // the cell globals.
    const items = (await client.completions("cou", 3))?.items.map((i) =>
      i.text
    );
    assert.ok(items?.includes("count"));
    assert.match(
      (await client.quickInfo("display", 2))!.display,
      /const display/,
    );
  } finally {
    client.close();
  }
  assert.deepEqual(
    await checker.check("1"),
    { ok: false, reason: "the kernel is shutting down" },
  );
  assert.deepEqual(warnings, []);
});
