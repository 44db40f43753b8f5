import assert from "node:assert/strict";
import { evaluate, nn, tensor, training } from "../../../lib/mod.ts";

// Six classes; the true class of row 0 scores highest, of row 1 fourth, of row 2 sixth.
const LOGITS = [
  [9, 1, 2, 3, 4, 5],
  [6, 5, 4, 3, 2, 1],
  [1, 2, 3, 4, 5, 6],
];
const LABELS = [0, 3, 0];

Deno.test("labelRank() counts the classes that score above the true one", async () => {
  const rank = training.labelRank(tensor(LOGITS), tensor(LABELS));
  assert.deepEqual(Array.from(await rank.data()), [0, 3, 5]);
});

Deno.test("evaluate() reports the paper's top-1 and top-5 errors", async () => {
  async function* loader() {
    yield [tensor(LOGITS), tensor(LABELS)] as [
      ReturnType<typeof tensor>,
      ReturnType<typeof tensor>,
    ];
  }
  // Flatten passes [N, C] through: the "model" outputs LOGITS as they are.
  const result = await evaluate(new nn.Flatten(), loader());
  assert.equal(result.accuracy, 1 / 3);
  assert.equal(result.top1Error, 2 / 3);
  assert.equal(result.top5Error, 1 / 3);
});
