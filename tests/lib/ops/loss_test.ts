import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";

Deno.test("a loss rejects an unknown reduction instead of taking the mean", () => {
  const logits = lib.zeros([2, 3]);
  const bogus = { reduction: "bogus" } as unknown as lib.LossOptions;
  assert.throws(() => lib.crossEntropy(logits, [0, 1], bogus), /"bogus"/);
  assert.throws(() => lib.nllLoss(logits, [0, 1], bogus), TypeError);
  assert.throws(() => lib.mseLoss(logits, logits, bogus), TypeError);
});
