import assert from "node:assert/strict";
import * as lib from "../../lib/mod.ts";
import * as O from "./oracle.ts";
import { assertClose, gradcheck, randomData, toTensor } from "./helpers.ts";

Deno.test("softmax() and logSoftmax() match the reference, stable for large logits", async () => {
  const x = randomData([4, 10], 1, -3, 3);
  const expected = O.logSoftmax(x);
  await assertClose(toTensor(x).logSoftmax(1), expected);
  await assertClose(toTensor(x).softmax(1), O.map(Math.exp, expected));
  await assertClose(lib.tensor([[1000, 0]]).softmax(1), [1, 0]);
  await gradcheck([x], (t) => t.logSoftmax(1), O.logSoftmax);
  await gradcheck(
    [x],
    (t) => t.softmax(-1),
    (t) => O.map(Math.exp, O.logSoftmax(t)),
  );
});

Deno.test("crossEntropy() with class indices, label smoothing, and its gradient", async () => {
  const logits = randomData([6, 5], 2, -2, 2);
  const target = [0, 4, 2, 2, 1, 3];
  for (const smoothing of [0, 0.1]) {
    const loss = lib.crossEntropy(toTensor(logits), target, {
      labelSmoothing: smoothing,
    });
    assert.deepEqual(loss.shape, []);
    await assertClose(loss, [O.crossEntropy(logits, target, smoothing)], {
      atol: 1e-5,
    });
    await gradcheck(
      [logits],
      (t) =>
        lib.crossEntropy(t, lib.tensor(target), { labelSmoothing: smoothing }),
      (t) => O.nd([], [O.crossEntropy(t, target, smoothing)]),
    );
  }
  await assertClose(
    lib.crossEntropy(toTensor(logits), Int32Array.from(target)),
    [O.crossEntropy(logits, target)],
  );
  const nll = lib.nllLoss(toTensor(logits).logSoftmax(1), target);
  await assertClose(nll, [O.crossEntropy(logits, target)]);
  assert.throws(
    () => lib.crossEntropy(toTensor(logits), [0, 1, 2, 3, 4, 5]),
    /target class 5: classes run from 0 to 4/,
  );
  assert.throws(
    () => lib.crossEntropy(toTensor(logits), [0, 1]),
    /2 targets for a batch of 6/,
  );
});

Deno.test("localResponseNorm() matches PyTorch's formula with the paper's constants", async () => {
  const x = randomData([2, 7, 3, 3], 3, -2, 2);
  const options = { alpha: 1e-4, beta: 0.75, k: 2 };
  await assertClose(
    lib.localResponseNorm(toTensor(x), 5, options),
    O.localResponseNorm(x, 5, 1e-4, 0.75, 2),
  );
  // Large alpha makes the normalisation matter for the gradient check.
  await gradcheck(
    [x],
    (t) => lib.localResponseNorm(t, 3, { alpha: 0.5, beta: 0.75, k: 1 }),
    (t) => O.localResponseNorm(t, 3, 0.5, 0.75, 1),
  );
});

Deno.test("oneHot(), argmax() and mean accuracy, the way notebooks count correct predictions", async () => {
  const logits = lib.tensor([[0.1, 2, 0.3], [5, 1, 0], [0, 0, 9]]);
  const predicted = logits.argmax(1);
  await assertClose(predicted, [1, 0, 2], { atol: 0 });
  const accuracy = await predicted.eq(lib.tensor([1, 2, 2])).mean().item();
  assert.ok(Math.abs(accuracy - 2 / 3) < 1e-6);
  await assertClose(lib.oneHot(lib.tensor([2, 0]), 3), [0, 0, 1, 1, 0, 0]);
});
