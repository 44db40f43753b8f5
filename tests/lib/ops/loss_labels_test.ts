// Out-of-range class labels in a Tensor are counted on the GPU and reported
// at the next readback, naming the op (arrays raise at once).
import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";

Deno.test("crossEntropy with Tensor labels out of range raises at the next readback", async () => {
  const loss = lib.crossEntropy(lib.zeros([4, 5]), lib.tensor([0, 7, 9, 3]), {
    reduction: "none",
  });
  await assert.rejects(
    () => loss.toArray(),
    /Cannot crossEntropy with target classes outside 0 to 4: 2 labels/,
  );
  // Reported once; good labels stay quiet.
  const ok = lib.crossEntropy(lib.zeros([2, 5]), lib.tensor([0, 4]));
  assert.ok(Math.abs(await ok.item() - Math.log(5)) < 1e-5);
});

Deno.test("nllLoss with a negative Tensor label raises at the next readback", async () => {
  const loss = lib.nllLoss(lib.zeros([2, 3]), lib.tensor([-1, 0]));
  await assert.rejects(() => loss.item(), /Cannot nllLoss .* 1 labels/);
});
