import { SMALL_TILES, withTuning } from "./_helpers.ts";
import { checkConv as check } from "./_gemm_checks.ts";

Deno.test("conv2d matches the oracle with stride, padding and dilation", async () => {
  await withTuning(SMALL_TILES, async () => {
    await check({ batch: 2, c: 3, h: 9, w: 11, oc: 5, k: 3, pad: 1 });
    await check({
      batch: 1,
      c: 2,
      h: 13,
      w: 10,
      oc: 7,
      k: [3, 2],
      stride: [2, 3],
      pad: [2, 1],
    });
    await check({
      batch: 2,
      c: 4,
      h: 12,
      w: 12,
      oc: 36,
      k: 3,
      dilation: 2,
      pad: 2,
    });
    await check({ batch: 1, c: 1, h: 1, w: 1, oc: 1, k: 1 });
  });
});

Deno.test("conv2d with the wide tile: odd rows and channels, short rows", async () => {
  await withTuning(SMALL_TILES, async () => {
    // 40 output channels take the wide tile, whose invocations cover two
    // output rows (7 is odd) and two input channels per step (5 is odd)
    await check({ batch: 2, c: 5, h: 7, w: 9, oc: 40, k: 3, pad: 1 });
    await check({
      batch: 1,
      c: 36,
      h: 9,
      w: 21,
      oc: 6,
      k: [5, 3],
      pad: [2, 1],
    });
    await check({ batch: 1, c: 33, h: 11, w: 11, oc: 4, k: 3, stride: 2 }, [
      "input",
    ]);
  });
});

Deno.test("conv2d matches the oracle with groups", async () => {
  await withTuning(SMALL_TILES, async () => {
    await check({ batch: 2, c: 6, h: 7, w: 8, oc: 4, k: 3, pad: 1, groups: 2 });
    await check({
      batch: 1,
      c: 8,
      h: 6,
      w: 6,
      oc: 40,
      k: [1, 3],
      groups: 4,
      stride: 2,
    });
  });
});

Deno.test("conv2d at AlexNet's first layer (1 -> 96, k11 s4 p1, 224x224)", async () => {
  await check({
    batch: 1,
    c: 1,
    h: 224,
    w: 224,
    oc: 96,
    k: 11,
    stride: 4,
    pad: 1,
  });
});

Deno.test("conv2d at AlexNet's second layer (96 -> 256, k5 p2, 26x26, groups 1 and 2)", async () => {
  await check({ batch: 1, c: 96, h: 26, w: 26, oc: 256, k: 5, pad: 2 }, [
    "forward",
  ]);
  await check({
    batch: 1,
    c: 96,
    h: 26,
    w: 26,
    oc: 256,
    k: 5,
    pad: 2,
    groups: 2,
  });
});

Deno.test("conv2d at AlexNet's third layer (256 -> 384, k3 p1, 12x12)", async () => {
  await check({ batch: 1, c: 256, h: 12, w: 12, oc: 384, k: 3, pad: 1 });
});

// The gathering weight-gradient GEMM splits a long k among workgroups where
// its blocks make few (conv1's): shares that do not divide k evenly, groups
// (each split and group its own slice), stride and padding. AlexNet's conv1
// at batch 1 above splits in 2.
Deno.test("conv2d weight gradient split along k matches the oracle", async () => {
  await check({
    batch: 3,
    c: 4,
    h: 80,
    w: 75,
    oc: 8,
    k: 3,
    groups: 2,
    stride: 2,
    pad: 1,
  }, ["weight"]);
});
