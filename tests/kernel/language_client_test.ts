import assert from "node:assert/strict";
import { LanguageClient } from "../../kernel/language_client.ts";

Deno.test("LanguageClient answers from its thread, in order with the cells added", async () => {
  const folder = await Deno.makeTempDir();
  const client = new LanguageClient(folder, { debug() {}, warn() {} });
  try {
    client.add("const greeting = { hello: 1, help: 2 };");
    const completions = await client.completions("greeting.hel", 12);
    assert.deepEqual(completions?.items.map((item) => item.text), [
      "hello",
      "help",
    ]);
    assert.match(
      (await client.quickInfo("greeting", 3))!.display,
      /const greeting: \{/,
    );
    assert.equal(await client.signatureHelp("greeting", 3), null);
  } finally {
    client.close();
    await Deno.remove(folder, { recursive: true });
  }
  await assert.rejects(client.completions("x", 1), /shutting down/);
});
