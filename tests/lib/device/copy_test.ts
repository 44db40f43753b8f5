// The layout copies walk rows of their last dimension, a run of elements
// per invocation: rows longer than a run and not a multiple of it, steps,
// padding on both sides (fill), broadcasting along the row (step 0),
// scalars, and scatters into a larger buffer, against a plain oracle, on
// both adapters' grids.
import assert from "node:assert/strict";
import { gather, scatter, type StridedAxis } from "../../../lib/device/copy.ts";
import { tuningFor } from "../../../lib/device/tuning.ts";
import { release } from "../../../lib/device/buffer_pool.ts";
import { fromGpu, randomFloats, toGpu, withTuning } from "./_helpers.ts";

/** What gather reads for each element of the iteration shape (fill outside). */
function oracle(
  x: Float32Array,
  axes: StridedAxis[],
  offset: number,
  fill: number,
): number[] {
  const n = axes.reduce((p, a) => p * a.size, 1);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let rest = i;
    let index = offset;
    let inside = true;
    for (let d = axes.length - 1; d >= 0; d--) {
      const a = axes[d];
      const q = (rest % a.size) * a.step + a.start;
      rest = Math.floor(rest / a.size);
      inside &&= q >= 0 && q < a.bound;
      index += q * a.stride;
    }
    out.push(inside ? x[index] : fill);
  }
  return out;
}

const axis = (
  size: number,
  stride: number,
  step = 1,
  start = 0,
  bound = size,
) => ({ size, stride, step, start, bound });

// x is [7, 100] row-major
const CASES: [string, StridedAxis[]][] = [
  ["rows of 100 (3 runs and a part)", [axis(7, 100), axis(100, 1)]],
  ["every third column from 2", [axis(7, 100), axis(33, 1, 3, 2, 100)]],
  ["padded by 5 on each side", [axis(7, 100), axis(110, 1, 1, -5, 100)]],
  ["a column broadcast along a row of 40", [
    axis(7, 100),
    axis(40, 1, 0, 9, 100),
  ]],
  ["transposed: rows of 7", [axis(100, 1), axis(7, 100)]],
  ["a scalar", []],
];

for (const kind of ["cpu", "gpu"] as const) {
  Deno.test(`gathers and scatters match the oracle with the ${kind} grid`, async () => {
    await withTuning(tuningFor(kind), async () => {
      const xs = randomFloats(700, 5);
      for (const [what, axes] of CASES) {
        const offset = axes.length ? 0 : 123;
        const want = oracle(xs, axes, offset, -2);
        const x = toGpu(xs);
        const got = await fromGpu(gather(x, axes, offset, -2), want.length);
        want.forEach((v, i) =>
          assert.equal(got[i], Math.fround(v), `${what} at ${i}`)
        );
        // scatter writes a block of [7, 100] back through the same axes
        // where they stay inside it without repeats
        if (what.startsWith("rows") || what.startsWith("every")) {
          const block = Float32Array.from(want);
          const target = toGpu(new Float32Array(700));
          const source = toGpu(block);
          scatter(source, target, axes);
          release(source);
          const back = await fromGpu(target, 700);
          const expected = new Float32Array(700);
          oracle(Float32Array.from({ length: 700 }, (_, i) => i), axes, 0, -1)
            .forEach((index, i) => expected[index] = block[i]);
          expected.forEach((v, i) =>
            assert.equal(back[i], v, `scatter ${what} at ${i}`)
          );
        }
      }
    });
  });
}
