/**
 * The three products of a Linear layer at small batch, each configuration
 * timed with GPU timestamps (staging copies included), the configurations
 * in alternation for `--rounds` rounds so that a shared machine loads all
 * alike; plus the staging copy of the weight alone. Shapes: the course
 * AlexNet's fc6 (6400 -> 4096) and fc7 (4096 -> 4096) at `--batch`
 * (comma-separated, default 8,32). Configurations as in matmul_sweep.ts
 * (`ROWSxCOLS/GXxGY[/JSON]`); default: the tuning's default and
 * candidates for the product's rows.
 *
 * `deno run -A bench/linear_products.ts --batch=8,32 --rounds=3`
 *
 * @module
 */
import { allocate, release } from "../lib/device/buffer_pool.ts";
import { GpuTimer } from "../lib/device/gpu_timer.ts";
import {
  type MatmulShape,
  matmulWith,
  rowClass,
} from "../lib/device/matmul.ts";
import { mayWrite, synchronize } from "../lib/device/recorder.ts";
import {
  returnTexture,
  stageInTexture,
} from "../lib/device/texture_staging.ts";
import { randomBuffer } from "../lib/device/tuner_inputs.ts";
import { configName, type GemmTiling, tuning } from "../lib/device/tuning.ts";
import { flag, tilingArgs } from "./_args.ts";

const batches = (flag("batch") ?? "8,32").split(",").map(Number);
const rounds = Number(flag("rounds") ?? 3);
const parsed: GemmTiling[] = tilingArgs();
const layers = [["fc6", 6400, 4096], ["fc7", 4096, 4096]] as const;

for (const [layer, inF, outF] of layers) {
  for (const batch of batches) {
    const x = randomBuffer(batch * inF);
    const w = randomBuffer(outF * inF);
    const gy = randomBuffer(batch * outF);
    const products: [string, Required<MatmulShape>, GPUBuffer, GPUBuffer][] = [
      ["forward x@W^T", shape(batch, outF, inF, false, true), x, w],
      ["input gy@W", shape(batch, inF, outF, false, false), gy, w],
      ["weight gy^T@x", shape(outF, inF, batch, true, false), gy, x],
    ];
    for (const [name, s, a, b] of products) {
      const configs = parsed.length > 0
        ? parsed
        : [tuning[rowClass(s.m)], ...tuning.candidates[rowClass(s.m)]]
          .filter((c, i, all) =>
            all.findIndex((d) => configName(d) === configName(c)) === i
          );
      const out = allocate(s.m * s.n * 4, "bench");
      for (const config of configs) {
        matmulWith(config, a, b, undefined, out, s, {});
      }
      await synchronize();
      const times: number[][] = configs.map(() => []);
      const staging: number[] = [];
      for (let round = 0; round < rounds; round++) {
        for (let c = 0; c < configs.length; c++) {
          const timer = new GpuTimer(2);
          // each call stages its operands, as a training step's would
          [a, b].forEach(mayWrite);
          timer.mark(0);
          matmulWith(configs[c], a, b, undefined, out, s, {});
          timer.mark(1);
          const [t0, t1] = await timer.read();
          times[c].push((t1 - t0) * 1000);
        }
        const timer = new GpuTimer(2);
        const big = s.m * s.k > s.k * s.n ? s.m * s.k : s.k * s.n;
        const larger = s.m * s.k > s.k * s.n ? a : b;
        mayWrite(larger);
        timer.mark(0);
        const texture = stageInTexture(larger, big);
        timer.mark(1);
        returnTexture(texture);
        const [t0, t1] = await timer.read();
        staging.push((t1 - t0) * 1000);
      }
      const median = (xs: number[]) =>
        [...xs].sort((p, q) => p - q)[xs.length >> 1];
      const gflop = 2 * s.m * s.n * s.k / 1e9;
      console.log(
        `${layer} b${batch} ${name} (${s.m}x${s.n}x${s.k}, ${
          gflop.toFixed(2)
        } GFLOP): staging the larger operand alone ${
          median(staging).toFixed(1)
        } ms`,
      );
      configs.forEach((config, c) => {
        const label = configName(config);
        console.log(
          `  ${label.padEnd(36)} median ${median(times[c]).toFixed(1)} ms (${
            times[c].map((t) => t.toFixed(0)).join(" ")
          }) ${(gflop / median(times[c]) * 1000).toFixed(1)} GFLOP/s`,
        );
      });
      release(out);
    }
    [x, w, gy].forEach(release);
  }
}

function shape(
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
): Required<MatmulShape> {
  return { batch: 1, m, n, k, transA, transB, batchA: 1, batchB: 1 };
}
