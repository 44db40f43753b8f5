import assert from "node:assert/strict";
import * as lib from "../../lib/mod.ts";
import { assertClose } from "./helpers.ts";

Deno.test("tensor() from nested arrays, typed arrays with a shape, and numbers", async () => {
  const t = lib.tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.ndim, 2);
  assert.equal(t.numel, 6);
  assert.deepEqual(await t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  const typed = lib.tensor(new Float32Array([1, 2, 3, 4]), { shape: [2, 2] });
  assert.deepEqual(await typed.toArray(), [[1, 2], [3, 4]]);
  assert.equal(await lib.tensor(7).item(), 7);
  assert.throws(() => lib.tensor([[1, 2], [3]]), /ragged nested arrays/);
  assert.throws(
    () => lib.tensor([1, 2, 3], { shape: [2, 2] }),
    /shape \[2, 2\] from 3 values/,
  );
  await assert.rejects(
    () => lib.tensor([1, 2]).item(),
    /item\(\) of a tensor of shape \[2\]/,
  );
});

Deno.test("zeros, ones, full, arange, linspace, eye", async () => {
  await assertClose(lib.zeros([2, 2]), [0, 0, 0, 0]);
  await assertClose(lib.ones([3]), [1, 1, 1]);
  await assertClose(lib.full([2], 2.5), [2.5, 2.5]);
  await assertClose(lib.arange(5), [0, 1, 2, 3, 4]);
  await assertClose(lib.arange(1, 2, 0.25), [1, 1.25, 1.5, 1.75]);
  await assertClose(lib.linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1]);
  await assertClose(lib.eye(2, 3), [1, 0, 0, 0, 1, 0]);
  assert.throws(
    () => lib.zeros([2, -1]),
    /sizes must be non-negative integers/,
  );
});

Deno.test("a disposed tensor says so when used", () => {
  const t = lib.ones([2]);
  t.dispose();
  t.dispose();
  assert.throws(() => t.add(1), /disposed tensor of shape \[2\]/);
});

Deno.test("text and HTML forms show the shape and values", async () => {
  const t = lib.tensor([[1, 2], [3, 4.5]]);
  assert.equal(String(t), "Tensor(shape=[2, 2])");
  const text = await t.format();
  assert.equal(
    text,
    "tensor([[1.0000, 2.0000],\n        [3.0000, 4.5000]], shape=[2, 2])",
  );
  const bundle = await t[lib.DISPLAY]();
  assert.match(bundle["text/html"], /<table>.*4\.5000/);
  const big = await lib.zeros([2000]).format();
  assert.match(big, /0\., 0\., 0\., \.\.\., 0\., 0\., 0\.\]/);
});

Deno.test("device() describes the adapter; memory() counts bytes", () => {
  const info = lib.device();
  assert.ok(info.description.length > 0);
  assert.ok(info.maxStorageBufferBindingSize >= 128 * 1024 * 1024);
  assert.match(String(info), /storage buffers up to/);
  const before = lib.memory().bytesInUse;
  const t = lib.zeros([1000]);
  assert.ok(lib.memory().bytesInUse >= before + 4000);
  t.dispose();
  assert.equal(lib.memory().bytesInUse, before);
});

Deno.test("a tensor beyond the adapter's buffer limit is a RangeError naming the limit", () => {
  const limit = lib.device().maxBufferSize;
  assert.throws(
    () => lib.zeros([Math.ceil(limit / 4) + 1024]),
    (e: Error) => e instanceof RangeError && /allows at most/.test(e.message),
  );
});

Deno.test("elementwise ops and random draws run on tensors larger than one binding, in ranges", async () => {
  const count = lib.device().maxStorageBufferBindingSize / 4 + 4096;
  const big = lib.full([count], 1.5).mul(2);
  const doubled = await big.data();
  assert.deepEqual(Array.from(doubled.subarray(count - 3)), [3, 3, 3]);
  assert.ok(doubled.every((v) => v === 3));
  lib.manualSeed(1);
  const noise = lib.rand([count]);
  const values = (await noise.data()).subarray(count - 5000);
  assert.ok(
    values.every((v) => v >= 0 && v < 1) && new Set(values).size > 4900,
  );
  assert.throws(() => big.sum(), /binds at most/);
  for (const t of [big, noise]) t.dispose();
});

Deno.test("tidy() frees what it made except its result", () => {
  const before = lib.memory().bytesInUse;
  const kept = lib.tidy(() => {
    const a = lib.ones([256]);
    const b = a.mul(2).exp();
    return b.sum();
  });
  assert.equal(lib.memory().bytesInUse - before, 256); // one 4-byte scalar in a 256-byte buffer
  kept.dispose();
  assert.equal(lib.memory().bytesInUse, before);
  assert.throws(
    () => lib.tidy(async () => {}),
    /Cannot tidy an async function/,
  );
});
