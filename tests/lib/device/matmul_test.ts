import { matmul, type MatmulShape } from "../../../lib/device/matmul.ts";
import { release } from "../../../lib/device/buffer_pool.ts";
import { tuning, tuningFor } from "../../../lib/device/tuning.ts";
import {
  assertClose,
  fromGpu,
  randomFloats,
  SMALL_TILES,
  toGpu,
  withTuning,
} from "./_helpers.ts";

/** float32 accumulation error stays well under this fraction of sum |a*b|. */
const TOLERANCE = 1e-5;

/** Plain float64 oracle: C[z, i, j] = sum_p A(z, i, p) B(z, p, j) (+ bias[j]). */
function matmulOracle(
  a: Float32Array,
  b: Float32Array,
  s: Required<MatmulShape>,
  bias?: Float32Array,
): { value: Float64Array; scale: Float64Array } {
  const { batch, m, n, k } = s;
  const value = new Float64Array(batch * m * n);
  const scale = new Float64Array(batch * m * n);
  for (let z = 0; z < batch; z++) {
    const aBase = s.batchA === 1 ? 0 : z * m * k;
    const bBase = s.batchB === 1 ? 0 : z * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = bias ? bias[j] : 0;
        let abs = bias ? Math.abs(bias[j]) : 0;
        for (let p = 0; p < k; p++) {
          const x = a[aBase + (s.transA ? p * m + i : i * k + p)];
          const y = b[bBase + (s.transB ? j * k + p : p * n + j)];
          sum += x * y;
          abs += Math.abs(x * y);
        }
        value[(z * m + i) * n + j] = sum;
        scale[(z * m + i) * n + j] = abs;
      }
    }
  }
  return { value, scale };
}

async function check(
  shape: MatmulShape,
  withBias = false,
  seed = 1,
): Promise<void> {
  const s: Required<MatmulShape> = {
    transA: false,
    transB: false,
    batchA: shape.batch,
    batchB: shape.batch,
    ...shape,
  };
  const a = randomFloats(s.batchA * s.m * s.k, seed);
  const b = randomFloats(s.batchB * s.k * s.n, seed + 1);
  const bias = withBias ? randomFloats(s.n, seed + 2) : undefined;
  const [ga, gb] = [toGpu(a), toGpu(b)];
  const gbias = bias ? toGpu(bias) : undefined;
  const out = matmul(ga, gb, shape, gbias);
  const got = await fromGpu(out, s.batch * s.m * s.n);
  [ga, gb, ...(gbias ? [gbias] : [])].forEach(release);
  const want = matmulOracle(a, b, s, bias);
  assertClose(
    got,
    want.value,
    want.scale,
    TOLERANCE,
    `matmul ${JSON.stringify(shape)}`,
  );
}

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

Deno.test("matmul() is right with the discrete-GPU tiling too", async () => {
  await withTuning(
    tuningFor(tuning.kind === "cpu" ? "gpu" : "cpu"),
    async () => {
      await check({ batch: 2, m: 70, n: 36, k: 20 }, true);
      await check({
        batch: 1,
        m: 9,
        n: 130,
        k: 33,
        transA: true,
        transB: true,
      });
      await check(
        { batch: 3, m: 65, n: 67, k: 17, batchA: 1, transA: true },
        true,
      );
      await check({ batch: 2, m: 20, n: 5, k: 40, batchB: 1, transB: true });
    },
  );
});
