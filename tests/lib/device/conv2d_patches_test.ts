// The Winograd patches of x that a conv2d forward keeps for the weight
// gradient: kept only where the weight gradient's choice reads them, and
// the tuner times the weight gradient with them as training runs it.
import assert from "node:assert/strict";
import { memoryInfo, release } from "../../../lib/device/buffer_pool.ts";
import {
  CONV2D_FAMILIES,
  conv2dForward,
  type Conv2dShape,
  type PatchSlot,
} from "../../../lib/device/conv2d.ts";
import { observeDispatches } from "../../../lib/device/recorder.ts";
import { tunerState } from "../../../lib/device/tuner.ts";
import {
  configName,
  type ConvMethod,
  type GemmTiling,
  tuning,
} from "../../../lib/device/tuning.ts";
import { randomFloats, toGpu, withFreshTuner, withTuning } from "./_helpers.ts";

// 32 output channels take the wide candidates; 16 x 3 x 3 columns let
// im2col run
const S: Conv2dShape = {
  batch: 1,
  inChannels: 16,
  inHeight: 8,
  inWidth: 8,
  outChannels: 32,
  kernelHeight: 3,
  kernelWidth: 3,
  strideHeight: 1,
  strideWidth: 1,
  padHeight: 1,
  padWidth: 1,
  dilationHeight: 1,
  dilationWidth: 1,
  groups: 1,
  outHeight: 8,
  outWidth: 8,
};

// one register tile under each algorithm, on every adapter
const TILE: GemmTiling = { rows: 8, cols: 8, groupX: 4, groupY: 2 };
const via = (method?: ConvMethod): GemmTiling =>
  method ? { ...TILE, method } : TILE;
const FORWARDS = [via("winograd4"), via("winograd"), via()];
const WEIGHTS = [via("winograd4"), via("winograd"), via("im2col"), via()];

/** Runs `body` with `choices` as the tuned configurations of S's classes. */
async function withChoices(
  choices: Partial<Record<"forward" | "weight", GemmTiling>>,
  body: () => void | Promise<void>,
): Promise<void> {
  const candidates = { ...tuning.candidates, conv: FORWARDS, weight: WEIGHTS };
  // an empty cache: only these choices are loaded
  await withFreshTuner("cache", async () => {
    for (const [product, config] of Object.entries(choices)) {
      const family = CONV2D_FAMILIES[product as "forward" | "weight"];
      tunerState.entries.set(`${family.name}|${family.shapeClass(S)}`, {
        family: family.name,
        shapeClass: family.shapeClass(S),
        config,
        chosen: configName(config),
        gflops: 1,
      });
    }
    await withTuning(
      { conv: FORWARDS[0], weight: WEIGHTS[0], candidates },
      async () => await body(),
    );
  });
}

/** How many Winograd input transforms `fn` records. */
function inputTransforms(fn: () => void): number {
  let count = 0;
  observeDispatches((label) => {
    if (label === "winograd input") count++;
  });
  try {
    fn();
  } finally {
    observeDispatches(undefined);
  }
  return count;
}

Deno.test("a Winograd forward keeps its patches only for a weight gradient that reads them", async () => {
  const x = toGpu(randomFloats(16 * 8 * 8, 1));
  const w = toGpu(randomFloats(32 * 16 * 3 * 3, 2));
  try {
    for (
      const [forward, weight, keeps] of [
        [via("winograd4"), via("winograd4"), true],
        [via("winograd"), via("winograd"), true],
        [via("winograd4"), via("winograd"), false], // another tile
        [via("winograd"), via("winograd4"), false],
        [via("winograd4"), via("im2col"), false],
        [via("winograd4"), via(), false],
        [via(), via("winograd4"), false], // no patches to keep
      ] as const
    ) {
      await withChoices({ forward, weight }, () => {
        const what = `forward ${configName(forward)}, weight ${
          configName(weight)
        }`;
        const before = memoryInfo().buffersInUse;
        const slot: PatchSlot = {};
        release(conv2dForward(x, w, undefined, S, {}, slot));
        assert.equal(slot.patches !== undefined, keeps, what);
        if (slot.patches) release(slot.patches.buffer);
        assert.equal(memoryInfo().buffersInUse, before, `${what}: no leak`);
      });
    }
  } finally {
    [x, w].forEach(release);
  }
});

Deno.test("the tuner times a Winograd weight gradient with the patches its forward keeps", async () => {
  for (const forward of FORWARDS) {
    await withChoices({ forward }, () => {
      const before = memoryInfo().buffersInUse;
      let inputs: ReturnType<typeof CONV2D_FAMILIES.weight.prepare>;
      // the forward runs in preparation only where its patches will be read
      assert.equal(
        inputTransforms(() => inputs = CONV2D_FAMILIES.weight.prepare(S)),
        forward.method === undefined ? 0 : 1,
        `preparing with forward ${configName(forward)}`,
      );
      try {
        for (const weight of [via("winograd"), via("winograd4")]) {
          // x is transformed in the run only where the forward did not
          assert.equal(
            inputTransforms(() => inputs.run(weight)),
            weight.method === forward.method ? 0 : 1,
            `forward ${configName(forward)}, weight ${configName(weight)}`,
          );
        }
      } finally {
        inputs!.dispose();
      }
      assert.equal(memoryInfo().buffersInUse, before, "disposed of all");
    });
  }
});
