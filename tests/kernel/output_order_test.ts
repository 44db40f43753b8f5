import assert from "node:assert/strict";
import { OutputOrder } from "../../kernel/output_order.ts";

function recorder() {
  const sent: string[] = [];
  const order = new OutputOrder({
    stream: (name, text) => sent.push(`${name}:${text}`),
    update: (content) => sent.push(`update:${content.n}`),
  });
  return { sent, order };
}

Deno.test("OutputOrder sends a print before the display update that followed it", () => {
  const { sent, order } = recorder();
  order.write("stdout", "epoch 1\n");
  order.update("bar", { n: 1 });
  order.flush();
  assert.deepEqual(sent, ["stdout:epoch 1\n", "update:1"]);
});

Deno.test("OutputOrder sends a waiting update before text printed after it", () => {
  const { sent, order } = recorder();
  order.update("bar", { n: 1 });
  order.write("stdout", "a\n");
  order.update("bar", { n: 2 });
  order.update("bar", { n: 3 });
  order.write("stderr", "b\n");
  order.flush();
  assert.deepEqual(sent, ["update:1", "stdout:a\n", "update:3", "stderr:b\n"]);
});
