import assert from "node:assert/strict";
import * as lib from "../../lib/mod.ts";

function moments(values: Float32Array): [number, number] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) /
    values.length;
  return [mean, variance];
}

Deno.test("manualSeed() replays rand, randn and randint exactly; draws differ", async () => {
  lib.manualSeed(42);
  const a = await lib.rand([1000]).data();
  const b = await lib.randn([1000]).data();
  lib.manualSeed(42);
  assert.deepEqual(await lib.rand([1000]).data(), a);
  assert.deepEqual(await lib.randn([1000]).data(), b);
  assert.notDeepEqual(await lib.rand([1000]).data(), a);
});

Deno.test("rand is uniform on [0, 1): mean 1/2, variance 1/12", async () => {
  lib.manualSeed(1);
  const values = await lib.rand([200_000]).data();
  assert.ok(values.every((v) => v >= 0 && v < 1));
  const [mean, variance] = moments(values);
  assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 0.002, `variance ${variance}`);
});

Deno.test("randn is standard normal: mean 0, variance 1, 68% within one sigma", async () => {
  lib.manualSeed(2);
  const values = await lib.randn([200_000]).data();
  const [mean, variance] = moments(values);
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.02, `variance ${variance}`);
  const within = values.filter((v) => Math.abs(v) < 1).length / values.length;
  assert.ok(Math.abs(within - 0.6827) < 0.01, `within ${within}`);
});

Deno.test("randint covers [low, high) evenly with integers", async () => {
  lib.manualSeed(3);
  const values = await lib.randint(-2, 3, [50_000]).data();
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [-2, -1, 0, 1, 2]);
  for (const c of counts.values()) assert.ok(Math.abs(c / 50_000 - 0.2) < 0.01);
});
