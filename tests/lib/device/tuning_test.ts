// Every candidate configuration the tuner may pick, on either kind of
// adapter, against the float64 oracles: a configuration only a GPU would
// pick is run here on lavapipe like the rest. The candidate lists drive the
// test, so a new candidate is tested without a new line here.
import {
  type AdapterKind,
  type Candidates,
  configName,
  type GemmTiling,
  isTiled,
  tuningFor,
} from "../../../lib/device/tuning.ts";
import { withTuning } from "./_helpers.ts";
import {
  checkConv,
  checkMatmul,
  type Layer,
  WINOGRAD_LAYERS,
} from "./_gemm_checks.ts";

/** The distinct configurations of some candidate lists. */
function distinct(
  kind: AdapterKind,
  lists: (keyof Candidates)[],
): GemmTiling[] {
  const all = lists.flatMap((list) => tuningFor(kind).candidates[list]);
  const seen = new Map(all.map((c) => [configName(c), c]));
  return [...seen.values()];
}

/** Output rows and columns of one workgroup of `c`. */
function block(c: GemmTiling): { bm: number; bn: number; bk: number } {
  return {
    bm: c.rows * c.groupY,
    bn: c.cols * c.groupX,
    bk: c.sharedDepth ?? 4,
  };
}

/**
 * Layers whose weight gradient the im2col path takes (C/groups x KH x KW of
 * 128 or more): the GEMM's k (samples x output pixels) a multiple of 4 or
 * not, stride, groups, dilation and a non-square kernel.
 */
const IM2COL_LAYERS: Layer[] = [
  { batch: 4, c: 16, h: 6, w: 6, oc: 36, k: 3, pad: 1 },
  { batch: 2, c: 32, h: 9, w: 10, oc: 8, k: 3, stride: 2, pad: 1, groups: 2 },
  { batch: 1, c: 9, h: 8, w: 9, oc: 5, k: [4, 4], pad: 1, dilation: [1, 2] },
];

for (const kind of ["cpu", "gpu"] as const) {
  Deno.test(`every ${kind} matmul candidate matches the oracle (bias, ReLU, awkward sizes)`, async () => {
    for (const c of distinct(kind, ["matmul", "matmulThin", "matmulFew"])) {
      const { bm, bn, bk } = block(c);
      await withTuning(
        { ...tuningFor(kind), matmul: c, matmulThin: c, matmulFew: c },
        async () => {
          // one row past the tile, one column short, k not a multiple of the slice
          await checkMatmul(
            {
              batch: 1,
              m: bm + 1,
              n: bn - 1,
              k: isTiled(c) ? 2 * bk + 3 : 36,
              transB: true,
            },
            true,
            1,
            true,
          );
          if (isTiled(c)) {
            // the tiled kernels compile once for every shape: try more of them
            await checkMatmul(
              { batch: 2, m: 1, n: bn + 1, k: 1, transB: true },
              true,
              2,
              true,
            );
            await checkMatmul(
              { batch: 1, m: 2 * bm - 1, n: 3, k: 300, transB: true },
              true,
              3,
              true,
            );
          }
        },
      );
    }
  });

  Deno.test(`every ${kind} conv2d forward and input-gradient candidate matches the oracle`, async () => {
    for (const c of distinct(kind, ["conv", "convThin"])) {
      await withTuning(
        { ...tuningFor(kind), conv: c, convInput: c, convThin: c },
        async () => {
          const { bm, bn, bk } = block(c);
          const layers: Layer[] = isTiled(c)
            ? [
              // M, N and K each one past a tile (forward: M = oc, N = w, K = c)
              { batch: 1, c: 2 * bk + 1, h: 1, w: bn + 1, oc: bm + 1, k: 1 },
              {
                batch: 2,
                c: 6,
                h: 9,
                w: 10,
                oc: 8,
                k: 3,
                stride: 2,
                pad: 1,
                groups: 2,
              },
              {
                batch: 1,
                c: 3,
                h: 7,
                w: 6,
                oc: 5,
                k: [3, 2],
                dilation: 2,
                pad: [2, 1],
              },
            ]
            // 8 and 40 channels: both products read the weights as vec4s and
            // share one pipeline (each takes seconds to compile on lavapipe)
            : [{ batch: 2, c: 8, h: 7, w: 9, oc: 40, k: 3, pad: 1 }];
          if (c.method?.startsWith("winograd")) layers.push(...WINOGRAD_LAYERS);
          for (const layer of layers) {
            await checkConv(layer, ["forward", "input"], 3, true);
          }
        },
      );
    }
  });

  Deno.test(`every ${kind} conv2d weight-gradient candidate matches the oracle (split-K)`, async () => {
    for (const c of distinct(kind, ["weight", "weightThin"])) {
      await withTuning(
        { ...tuningFor(kind), weight: c, weightThin: c },
        async () => {
          const layers: Layer[] = [
            {
              batch: 2,
              c: 6,
              h: 9,
              w: 10,
              oc: 8,
              k: 3,
              stride: 2,
              pad: 1,
              groups: 2,
            },
            // K = batch x output pixels = 432: long enough for every split
            { batch: 3, c: 2, h: 12, w: 12, oc: 36, k: 3, pad: 1 },
          ];
          if (isTiled(c)) {
            layers.push({
              batch: 1,
              c: 3,
              h: 7,
              w: 6,
              oc: 5,
              k: [3, 2],
              dilation: 2,
              pad: [2, 1],
            });
          }
          if (c.method === "im2col") layers.push(...IM2COL_LAYERS);
          if (c.method?.startsWith("winograd")) layers.push(...WINOGRAD_LAYERS);
          for (const layer of layers) await checkConv(layer, ["weight"]);
        },
      );
    }
  });
}

Deno.test("the default GPU matmul reads every transposition and broadcast batch", async () => {
  await withTuning(tuningFor("gpu"), async () => {
    await checkMatmul({ batch: 2, m: 70, n: 36, k: 20 }, true);
    await checkMatmul({
      batch: 1,
      m: 9,
      n: 130,
      k: 33,
      transA: true,
      transB: true,
    });
    await checkMatmul({
      batch: 3,
      m: 65,
      n: 67,
      k: 17,
      batchA: 1,
      transA: true,
    }, true);
    await checkMatmul({
      batch: 2,
      m: 20,
      n: 5,
      k: 40,
      batchB: 1,
      transB: true,
    });
  });
});
