import assert from "node:assert/strict";
import { StreamBuffer } from "../../kernel/stream_buffer.ts";

Deno.test("StreamBuffer coalesces writes and keeps stdout/stderr order", () => {
  const sent: [string, string][] = [];
  const buffer = new StreamBuffer(
    (name, text) => sent.push([name, text]),
    10_000,
  );
  for (let i = 0; i < 1000; i++) buffer.write("stdout", `${i}\n`);
  buffer.write("stderr", "warning\n");
  buffer.write("stdout", "after\n");
  buffer.flush();
  assert.deepEqual(sent.length, 3);
  assert.deepEqual(sent[0][1].split("\n").length, 1001);
  assert.deepEqual(sent.slice(1), [["stderr", "warning\n"], [
    "stdout",
    "after\n",
  ]]);
});

Deno.test("StreamBuffer flushes on its own after the delay and at the size bound", async () => {
  const sent: string[] = [];
  const buffer = new StreamBuffer((_, text) => sent.push(text), 5, 10);
  buffer.write("stdout", "0123456789ab");
  assert.deepEqual(sent, ["0123456789ab"]);
  buffer.write("stdout", "x");
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.deepEqual(sent, ["0123456789ab", "x"]);
});
