import assert from "node:assert/strict";
import * as lib from "../../lib/mod.ts";

Deno.test("thousands of training steps of a small model keep GPU memory flat", async () => {
  lib.manualSeed(0);
  // Made in a scope so that the unscaled draws are freed now, not by the GC mid-test.
  const [w1, w2] = lib.tidy(
    () => [
      lib.randn([8, 1, 3, 3]).mul(0.3),
      lib.randn([4, 8 * 3 * 3]).mul(0.1),
    ],
  );
  w1.requiresGrad_();
  w2.requiresGrad_();
  const params = [w1, w2];
  const step = () =>
    lib.tidy(() => {
      const x = lib.randn([4, 1, 8, 8]);
      const h = lib.maxPool2d(
        lib.conv2d(x, w1, undefined, { padding: 1 }).relu(),
        3,
        { stride: 2 },
      );
      const loss = lib.crossEntropy(lib.linear(h.flatten(1), w2), [0, 1, 2, 3]);
      for (const p of params) p.grad?.dispose(), p.grad = null;
      loss.backward();
      lib.noGrad(() => {
        for (const p of params) p.assign(p.sub(p.grad!.mul(0.01)));
      });
      return loss;
    });
  for (let i = 0; i < 20; i++) step().dispose();
  const settled = lib.memory();
  let last = 0;
  for (let i = 0; i < 2000; i++) {
    const loss = step();
    if (i % 500 === 499) last = await loss.item(); // a readback now and then, as a training loop does
    loss.dispose();
  }
  await lib.synchronize();
  const end = lib.memory();
  assert.ok(Number.isFinite(last));
  assert.equal(
    end.bytesInUse,
    settled.bytesInUse,
    `in use: ${settled} -> ${end}`,
  );
  assert.equal(
    end.bytesPooled,
    settled.bytesPooled,
    `pooled: ${settled} -> ${end}`,
  );
});
