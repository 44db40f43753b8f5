// The three products of a Linear layer at small batch (forward x @ W^T with
// bias and ReLU, input gradient gy @ W, weight gradient gy^T @ x whose K is
// the batch) with every lavapipe candidate for few rows, against the
// float64 oracle: batches around the blocks' 4, 8 and 16 rows, features
// that are and are not multiples of 4 (vec4 and scalar operand reads).
import { configName, tuningFor } from "../../../lib/device/tuning.ts";
import { withTuning } from "./_helpers.ts";
import { checkMatmul } from "./_gemm_checks.ts";

const BATCHES = [1, 3, 8, 17, 32];
const FEATURES: [number, number][] = [[37, 22], [40, 24]];

const cpu = tuningFor("cpu").candidates;
const candidates = [...cpu.matmulThin, ...cpu.matmulFew].filter((c, i, all) =>
  all.findIndex((d) => configName(d) === configName(c)) === i
);

for (const c of candidates) {
  Deno.test(`linear products at small batch match the oracle with ${configName(c)}`, async () => {
    // every entry set to c: the weight gradient's rows are the out-features
    await withTuning(
      { ...tuningFor("cpu"), matmul: c, matmulThin: c, matmulFew: c },
      async () => {
        let seed = 1;
        for (const [inF, outF] of FEATURES) {
          for (const m of BATCHES) {
            await checkMatmul(
              { batch: 1, m, n: outF, k: inF, transB: true },
              true,
              seed++,
              true,
            );
            await checkMatmul({ batch: 1, m, n: inF, k: outF }, false, seed++);
            await checkMatmul(
              { batch: 1, m: outF, n: inF, k: m, transA: true },
              false,
              seed++,
            );
          }
        }
      },
    );
  });
}
