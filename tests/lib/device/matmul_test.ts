import { deepStrictEqual, strictEqual } from "node:assert";
import { fitBlock } from "../../../lib/device/matmul_register.ts";
import { tuningFor } from "../../../lib/device/tuning.ts";
import { SMALL_TILES, withTuning } from "./_helpers.ts";
import { checkMatmul as check } from "./_gemm_checks.ts";

/** Output rows and columns of one workgroup of the small test tiles. */
const TM = SMALL_TILES.matmul!.rows * SMALL_TILES.matmul!.groupY;
const TN = SMALL_TILES.matmul!.cols * SMALL_TILES.matmul!.groupX;

Deno.test("matmul() matches the oracle on awkward sizes around the tile", async () => {
  await withTuning(SMALL_TILES, async () => {
    for (const m of [1, TM - 1, TM + 1]) {
      for (const n of [1, 4, TN - 1, TN + 4]) {
        await check({ batch: 1, m, n, k: 7 });
      }
    }
    await check({ batch: 1, m: 2 * TM, n: 2 * TN, k: 64 });
  });
});

Deno.test("matmul() handles every transposition with aligned and odd sizes", async () => {
  await withTuning(SMALL_TILES, async () => {
    for (const [m, n, k] of [[36, 40, 20], [33, 37, 19], [5, 130, 12]]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          await check({ batch: 1, m, n, k, transA, transB });
        }
      }
    }
  });
});

Deno.test("matmul() handles a large inner dimension and a bias", async () => {
  await withTuning(SMALL_TILES, async () => {
    await check({ batch: 1, m: 9, n: 20, k: 6400 }, true);
    await check({ batch: 1, m: 40, n: 36, k: 1001, transB: true }, true);
  });
});

Deno.test("matmul() batches and broadcasts a batch of 1", async () => {
  await withTuning(SMALL_TILES, async () => {
    await check({ batch: 3, m: 17, n: 12, k: 8 });
    await check({ batch: 3, m: 17, n: 12, k: 8, batchA: 1 });
    await check({ batch: 2, m: 8, n: 13, k: 5, batchB: 1, transB: true });
    await check(
      { batch: 4, m: 36, n: 8, k: 12, batchA: 1, transA: true },
      true,
    );
  });
});

Deno.test("matmul() with an empty inner dimension gives the bias", async () => {
  await withTuning(SMALL_TILES, async () => {
    await check({ batch: 1, m: 3, n: 4, k: 0 }, true);
  });
});

Deno.test("matmul() with the adapter's tiles at AlexNet's classifier shapes", async () => {
  // batch 4 takes the thin tile, batch 64 the full one
  await check({ batch: 1, m: 4, n: 256, k: 2304, transB: true }, true);
  await check({ batch: 1, m: 64, n: 100, k: 1024, transB: true }, true);
});

Deno.test("matmul() narrows the register block where the rows or columns would idle lanes", async () => {
  // lavapipe's 32x16 blocks of before session 10, the tuner's candidate
  const block = { rows: 32, cols: 16, groupX: 8, groupY: 1 };
  // 96 columns: 32x12 blocks fill one workgroup; 40: 32x8 blocks
  strictEqual(fitBlock(block, 1024, 96).cols, 12);
  strictEqual(fitBlock(block, 1024, 40).cols, 8);
  // 72 rows: three blocks of 24; 392: fourteen of 28
  deepStrictEqual(
    [fitBlock(block, 72, 384).rows, fitBlock(block, 392, 256).rows],
    [24, 28],
  );
  strictEqual(fitBlock(block, 1024, 256), block);
  await withTuning({ ...tuningFor("cpu"), matmul: block }, async () => {
    for (const n of [96, 40, 95]) {
      await check({ batch: 2, m: 33, n, k: 20 }, true, 1, true);
      await check({ batch: 1, m: 40, n, k: 37, transB: true }, true);
    }
    for (const m of [72, 70, 392]) {
      await check({ batch: 2, m, n: 130, k: 24 }, true, 1, true);
      await check({ batch: 1, m, n: 64, k: 37, transA: true }, true);
    }
  });
});
