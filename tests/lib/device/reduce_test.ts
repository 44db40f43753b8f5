// A reduction over a long axis runs one of two ways, by the number of
// outputs and the adapter's tuning (sharedReductionOutputs): each
// invocation reducing its own output, or a workgroup sharing one through
// workgroup memory. Between the two tunings' thresholds (512 on lavapipe,
// 4096 on GPUs) each tuning takes a different way; both must give the
// oracle's sums, maxima and first indices of the maximum.
import assert from "node:assert/strict";
import { reduce } from "../../../lib/device/reduce.ts";
import { tuningFor } from "../../../lib/device/tuning.ts";
import { fromGpu, randomFloats, toGpu, withTuning } from "./_helpers.ts";

const OUTER = 600;
const R = 300;

for (const kind of ["cpu", "gpu"] as const) {
  Deno.test(`reductions over a long axis match the oracle with the ${kind} tuning`, async () => {
    await withTuning(tuningFor(kind), async () => {
      const xs = randomFloats(OUTER * R, 11);
      // a tie at the maximum in row 7: the first index wins
      xs[7 * R + 20] = xs[7 * R + 250] = 2;
      for (const op of ["sum", "max"] as const) {
        const x = toGpu(xs);
        const { values, indices } = reduce(op, x, OUTER, R, 1, true);
        const got = await fromGpu(values, OUTER);
        const at = indices ? await fromGpu(indices, OUTER) : undefined;
        for (let o = 0; o < OUTER; o++) {
          const row = xs.subarray(o * R, (o + 1) * R);
          if (op === "sum") {
            const want = row.reduce((s, v) => s + v, 0);
            assert.ok(Math.abs(got[o] - want) < 1e-4, `sum ${o}: ${got[o]}`);
          } else {
            const best = Math.max(...row);
            assert.equal(got[o], best, `max ${o}`);
            assert.equal(at![o], row.indexOf(best), `argmax ${o}`);
          }
        }
      }
    });
  });
}
