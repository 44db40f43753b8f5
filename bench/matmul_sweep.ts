/**
 * Matmul register-block configurations side by side: each configuration
 * given on the command line (`ROWSxCOLS/GXxGY`, e.g. `32x16/8x1`) is timed
 * with GPU timestamps around `--reps` back-to-back calls, the
 * configurations in alternation for `--rounds` rounds (so that a shared
 * machine loads all alike); prints the median and best GFLOP/s of each and
 * GFLOP per CPU-second of the process. A third part of JSON sets more
 * `GemmTiling` fields (`32x16/8x1/{"groupY":2}`).
 *
 * `deno run -A bench/matmul_sweep.ts --shape=1024x1024x1024 32x16/8x1 16x16/8x1`
 * (`--batch=64` for a batched product, as conv2's Winograd GEMMs are;
 * `--keep` reuses the staged textures instead of staging on every call)
 *
 * @module
 */
import { allocate, release } from "../lib/device/buffer_pool.ts";
import { GpuTimer } from "../lib/device/gpu_timer.ts";
import { matmulWith } from "../lib/device/matmul.ts";
import { mayWrite, synchronize } from "../lib/device/recorder.ts";
import { processCpuMs } from "./cpu_time.ts";
import { randomBuffer } from "../lib/device/tuner_inputs.ts";
import { setSubgroupSharing } from "../lib/device/subgroups.ts";
import type { GemmTiling } from "../lib/device/tuning.ts";
import { flag, tilingArgs } from "./_args.ts";

const [m, n, k] = (flag("shape") ?? "1024x1024x1024").split("x").map(Number);
const batch = Number(flag("batch") ?? 1);
const reps = Number(flag("reps") ?? 3);
const rounds = Number(flag("rounds") ?? 5);
const restage = !Deno.args.includes("--keep");
// --share=both: each configuration with A's fetches shared over the
// subgroup (subgroups.ts) and without, side by side
const both = flag("share") === "both";
const names = Deno.args.filter((a) => !a.startsWith("--"))
  .flatMap((name) => both ? [`${name} shared`, `${name} unshared`] : [name]);
const configs: GemmTiling[] = tilingArgs()
  .flatMap((config) => both ? [config, config] : [config]);
const share = (c: number) => {
  if (both) setSubgroupSharing(c % 2 === 0);
};
const s = {
  batch,
  m,
  n,
  k,
  transA: flag("transA") === "1",
  transB: flag("transB") === "1",
  batchA: batch,
  batchB: batch,
};
const a = randomBuffer(batch * m * k);
const b = randomBuffer(batch * k * n);
const out = allocate(batch * m * n * 4, "sweep");
const times: number[][] = configs.map(() => []);
const cpu: number[][] = configs.map(() => []);
for (const [index, config] of configs.entries()) {
  const t0 = performance.now();
  share(index);
  matmulWith(config, a, b, undefined, out, s, {});
  await synchronize();
  console.log(
    `compiled ${names[index]} in ${
      ((performance.now() - t0) / 1000).toFixed(1)
    } s`,
  );
}
for (let round = 0; round < rounds; round++) {
  for (let c = 0; c < configs.length; c++) {
    share(c);
    const timer = new GpuTimer(2);
    const cpu0 = processCpuMs() ?? 0;
    timer.mark(0);
    for (let r = 0; r < reps; r++) {
      // each call stages its operands, as a training step's would
      if (restage) [a, b].forEach(mayWrite);
      matmulWith(configs[c], a, b, undefined, out, s, {});
    }
    timer.mark(1);
    const [begin, end] = await timer.read();
    times[c].push((end - begin) / reps);
    cpu[c].push(((processCpuMs() ?? 0) - cpu0) / 1000 / reps);
  }
}
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
configs.forEach((_, c) => {
  const flop = 2 * batch * m * n * k;
  const gflops = times[c].map((t) => flop / t / 1e9);
  console.log(
    `${names[c].padEnd(40)} median ${
      (flop / median(times[c]) / 1e9).toFixed(1)
    } best ${Math.max(...gflops).toFixed(1)} GFLOP/s, per CPU-second ${
      (flop / median(cpu[c]) / 1e9).toFixed(1)
    } (${gflops.map((g) => g.toFixed(1)).join(" ")})`,
  );
});
[a, b, out].forEach(release);
