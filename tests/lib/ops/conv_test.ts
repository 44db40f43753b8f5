import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";
import { observeDispatches } from "../../../lib/device/recorder.ts";
import * as O from "../oracle.ts";
import { gradcheck, randomData } from "../helpers.ts";

/** Dispatch labels recorded while `fn` runs. */
function dispatchesOf(fn: () => void): string[] {
  const labels: string[] = [];
  observeDispatches((label) => labels.push(label));
  try {
    fn();
  } finally {
    observeDispatches(undefined);
  }
  return labels;
}

// Both run Winograd by default (tuning.ts: 32 or more output channels per
// group), F(4x4, 3x3) and F(4x4, 5x5).
const LAYERS = [
  { name: "3x3, 2 groups", x: [2, 4, 9, 7], w: [64, 2, 3, 3], padding: 1 },
  { name: "5x5", x: [1, 3, 8, 8], w: [32, 3, 5, 5], padding: 2 },
];

for (const layer of LAYERS) {
  Deno.test(`conv2d() ${layer.name}: the weight gradient reuses the forward's Winograd input transform and matches the oracle`, async () => {
    const groups = layer.x[1] / layer.w[1];
    const options = { padding: layer.padding, groups };
    const labels = dispatchesOf(() =>
      lib.tidy(() => {
        const x = lib.randn(layer.x);
        const w = lib.randn(layer.w).requiresGrad_();
        lib.conv2d(x, w, undefined, options).sum().backward();
        w.grad!.dispose();
      })
    );
    assert.equal(
      labels.filter((l) => l === "winograd input").length,
      1,
      `the forward's transform only: ${labels}`,
    );
    assert.ok(labels.includes("winograd weight-gradient gy"), `${labels}`);
    const x = randomData(layer.x, 3);
    const w = randomData(layer.w, 4);
    await gradcheck(
      [x, w],
      (xs, ws) => lib.conv2d(xs, ws, undefined, options),
      (xs, ws) =>
        O.conv2d(xs, ws, undefined, {
          stride: [1, 1],
          padding: [layer.padding, layer.padding],
          dilation: [1, 1],
          groups,
        }),
    );
  });
}

Deno.test("conv2d() frees the kept Winograd input transform with the graph when no backward comes", async () => {
  const w = lib.randn([32, 4, 3, 3]).requiresGrad_();
  const forward = () =>
    lib.tidy(() => {
      lib.conv2d(lib.randn([2, 4, 12, 12]), w, undefined, { padding: 1 });
    });
  forward(); // the pool fills
  await lib.synchronize();
  const before = lib.memory().bytesInUse;
  for (let i = 0; i < 5; i++) forward();
  await lib.synchronize();
  assert.equal(lib.memory().bytesInUse, before);
  w.dispose();
});
