import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";
import { nn } from "../../../lib/mod.ts";

Deno.test("loadStateDict changes nothing when a later value is disposed", async () => {
  const layer = new nn.Linear(2, 1);
  const before = await layer.weight.toArray();
  const bias = lib.zeros([1]);
  bias.dispose();
  assert.throws(
    () => layer.loadStateDict({ weight: lib.ones([1, 2]), bias }),
    /bias is a disposed tensor/,
  );
  assert.deepEqual(await layer.weight.toArray(), before);
});

Deno.test("loadStateDict says when a value is not a tensor", async () => {
  const layer = new nn.Linear(2, 1);
  const before = await layer.weight.toArray();
  const state = { weight: lib.ones([1, 2]), bias: [0] } as unknown as Record<
    string,
    lib.Tensor
  >;
  assert.throws(
    () => layer.loadStateDict(state),
    /bias is object, not a Tensor/,
  );
  assert.deepEqual(await layer.weight.toArray(), before);
});
