// NaN must survive relu, maximum/minimum and clamp, as in PyTorch: a
// diverging run shows NaN, not zeros (WGSL's max/min/clamp may drop it).
import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";

Deno.test("relu, maximum, minimum and clamp keep NaN", async () => {
  const x = lib.tensor([NaN, -1, 2]);
  assert.ok(Number.isNaN((await lib.relu(x).toArray() as number[])[0]));
  const max = await lib.maximum(x, lib.zeros([3])).toArray() as number[];
  assert.ok(Number.isNaN(max[0]));
  assert.deepEqual(max.slice(1), [0, 2]);
  const maxOther = await lib.maximum(lib.zeros([3]), x).toArray() as number[];
  assert.ok(Number.isNaN(maxOther[0]));
  const min = await lib.minimum(x, lib.zeros([3])).toArray() as number[];
  assert.ok(Number.isNaN(min[0]));
  assert.deepEqual(min.slice(1), [-1, 0]);
  const clamped = await lib.clamp(x, 0, 1).toArray() as number[];
  assert.ok(Number.isNaN(clamped[0]));
  assert.deepEqual(clamped.slice(1), [0, 1]);
  assert.deepEqual(
    await lib.relu(x).toArray().then((v) => (v as number[]).slice(1)),
    [0, 2],
  );
});

Deno.test("the gradients of relu and clamp at NaN stay finite elsewhere", async () => {
  const x = lib.tensor([NaN, -1, 0.5], { requiresGrad: true });
  lib.relu(x).add(lib.clamp(x, 0, 1)).sum().backward();
  const g = await x.grad!.toArray() as number[];
  assert.deepEqual(g.slice(1), [0, 2]);
});

Deno.test("max and argmax take the first NaN, as PyTorch does", async () => {
  const x = lib.tensor([[1, NaN, 5, 3], [2, 7, NaN, NaN]]);
  assert.deepEqual(Array.from(await lib.argmax(x, 1).data()), [1, 2]);
  assert.deepEqual(Array.from(await lib.argmin(x, 1).data()), [1, 2]);
  assert.ok(Number.isNaN((await x.max().data())[0]));
  const rows = await x.max(1).values.data();
  assert.ok(Number.isNaN(rows[0]) && Number.isNaN(rows[1]), `got ${rows}`);
});

Deno.test("argmax over a long row (the workgroup pass) takes the first of two NaNs", async () => {
  const row = new Array(512).fill(0);
  row[1] = NaN; // thread 1's first value
  row[64] = NaN; // thread 0's second
  assert.deepEqual(Array.from(await lib.argmax(lib.tensor([row]), 1).data()), [
    1,
  ]);
});

Deno.test("max of a row of -inf is -inf, min of a row of +inf is +inf", async () => {
  const x = lib.tensor([[-Infinity, -Infinity], [Infinity, Infinity]]);
  assert.deepEqual(Array.from(await x.max(1).values.data()), [
    -Infinity,
    Infinity,
  ]);
  assert.deepEqual(Array.from(await x.min(1).values.data()), [
    -Infinity,
    Infinity,
  ]);
  assert.deepEqual(Array.from(await lib.argmax(x, 1).data()), [0, 0]);
  assert.deepEqual(
    Array.from(await lib.tensor([-Infinity, -Infinity]).max().data()),
    [-Infinity],
  );
});
