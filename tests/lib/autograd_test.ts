import assert from "node:assert/strict";
import * as lib from "../../lib/mod.ts";
import { assertClose } from "./helpers.ts";

Deno.test("backward() accumulates into .grad across calls and through shared inputs", async () => {
  const x = lib.tensor([1, 2, 3], { requiresGrad: true });
  x.mul(x).sum().backward(); // d/dx x^2 = 2x, x used twice by mul
  await assertClose(x.grad!, [2, 4, 6]);
  x.mul(3).sum().backward();
  await assertClose(x.grad!, [5, 7, 9]);
  const y = x.add(x).sum();
  y.backward();
  await assertClose(x.grad!, [7, 9, 11]);
});

Deno.test("backward() with a gradient argument for a non-scalar output", async () => {
  const x = lib.tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const y = x.mul(2);
  y.backward(lib.tensor([[1, 0], [0, 1]]));
  await assertClose(x.grad!, [2, 0, 0, 2]);
});

Deno.test("backward() from a non-scalar without a gradient explains what to do", () => {
  const x = lib.ones([2, 2], { requiresGrad: true });
  assert.throws(
    () => x.mul(2).backward(),
    /without a gradient: pass one of the same shape, or reduce to a scalar/,
  );
  assert.throws(() => lib.ones([2]).sum().backward(), /does not require grad/);
});

Deno.test("the graph is freed after backward(): a second backward() says so", () => {
  const x = lib.ones([3], { requiresGrad: true });
  const y = x.exp().sum();
  y.backward();
  assert.throws(() => y.backward(), /second time: the graph was freed/);
});

Deno.test("noGrad() records nothing; detach() cuts the graph", async () => {
  const w = lib.ones([2], { requiresGrad: true });
  const y = lib.noGrad(() => w.mul(3));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  const z = w.mul(2).detach().mul(w).sum();
  z.backward();
  await assertClose(w.grad!, [2, 2]);
  assert.equal(lib.isGradEnabled(), true);
});

Deno.test("only inputs with requiresGrad receive gradients", () => {
  const a = lib.ones([2], { requiresGrad: true });
  const b = lib.ones([2]);
  a.mul(b).sum().backward();
  assert.ok(a.grad);
  assert.equal(b.grad, null);
});

Deno.test("a chain through conv, pooling, linear and the loss reaches every parameter", async () => {
  lib.manualSeed(1);
  const x = lib.randn([2, 1, 12, 12]);
  const w1 = lib.randn([4, 1, 3, 3], { requiresGrad: true });
  const w2 = lib.randn([3, 4 * 5 * 5], { requiresGrad: true });
  const h = lib.maxPool2d(
    lib.conv2d(x, w1, undefined, { padding: 1 }).relu(),
    3,
    { stride: 2 },
  );
  const loss = lib.crossEntropy(lib.linear(h.flatten(1), w2), [0, 2]);
  loss.backward();
  for (const p of [w1, w2]) {
    assert.deepEqual(p.grad!.shape, p.shape);
    const values = await p.grad!.data();
    assert.ok(values.some((v) => v !== 0) && values.every(Number.isFinite));
  }
});
