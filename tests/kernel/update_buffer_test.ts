import assert from "node:assert/strict";
import { UpdateBuffer } from "../../kernel/update_buffer.ts";

Deno.test("UpdateBuffer keeps only the latest update per display id, in order", () => {
  const sent: unknown[] = [];
  const buffer = new UpdateBuffer((content) => sent.push(content), 10_000);
  for (let step = 0; step < 1000; step++) buffer.add("loss", { step });
  buffer.add("accuracy", { step: 0 });
  buffer.add("loss", { step: 1000 });
  buffer.flush();
  assert.deepEqual(sent, [{ step: 0 }, { step: 1000 }]);
});

Deno.test("UpdateBuffer sends on its own after the delay", async () => {
  const sent: unknown[] = [];
  const buffer = new UpdateBuffer((content) => sent.push(content), 5);
  buffer.add("p", { n: 1 });
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.deepEqual(sent, [{ n: 1 }]);
});
