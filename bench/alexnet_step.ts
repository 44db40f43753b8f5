/**
 * `deno run -A bench/alexnet_step.ts [--batch=8,32] [--steps=3] [--no-tfjs]
 * [--profile[=kernels]] [--torch]`: the course AlexNet's training step (forward,
 * backward, SGD) at 1x224x224: milliseconds per step, images per second,
 * the per-layer split of forward and backward, and peak GPU memory; then
 * the same network and step through TensorFlow.js's WebGPU backend on the
 * same adapter, and with `--torch` through PyTorch on the CPU (2 threads,
 * bench/alexnet_torch.py), and the ratios, of wall time and of CPU time
 * (bench/cpu_time.ts: on a shared machine the CPU time a step needs moves
 * much less with the load than its wall time). Figures, not tests.
 *
 * The per-layer split: with `--profile` on an adapter with timestamp-query,
 * GPU timestamps between layers with no wait between them
 * (bench/profile.ts), and with `--profile=kernels` each row's milliseconds
 * per kernel (a timestamp after every dispatch); otherwise (or without
 * `--profile`) it synchronises after each layer, so each row carries a
 * submit-and-wait.
 *
 * @module
 */
import * as lib from "../lib/mod.ts";
import { models, optim } from "../lib/mod.ts";
import { hasTimestamps } from "../lib/device/gpu_timer.ts";
import { processCpuMs } from "./cpu_time.ts";
import { type ProfileRow, profileStep } from "./profile.ts";
import { flag } from "./_args.ts";

const batches = (flag("batch") ?? "8,32").split(",").map(Number);
const steps = Number(flag("steps") ?? "3");
const withTfjs = !Deno.args.includes("--no-tfjs");
const profileArg = Deno.args.find((a) => a.startsWith("--profile"));
if (profileArg && !["--profile", "--profile=kernels"].includes(profileArg)) {
  throw new Error(`Unknown ${profileArg}: use --profile or --profile=kernels`);
}
const profile = profileArg !== undefined;
const kernelSplit = profileArg === "--profile=kernels";
const withTorch = Deno.args.includes("--torch");

console.log(`adapter: ${lib.device()}`);
lib.manualSeed(0);
const net = models.alexnet();
const opt = new optim.SGD(net.parameters(), { lr: 0.01 });

function step(x: lib.Tensor, y: number[]): lib.Tensor {
  return lib.tidy(() => {
    const loss = lib.crossEntropy(net.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss;
  });
}

/** Milliseconds of each layer's forward and of the whole backward, by synchronising between layers. */
async function layerSplit(
  x: lib.Tensor,
  y: number[],
): Promise<{ name: string; ms: number }[]> {
  const rows: { name: string; ms: number }[] = [];
  const kept: lib.Tensor[] = [];
  let h = x;
  await lib.synchronize();
  for (const [i, layer] of net.layers.entries()) {
    const start = performance.now();
    h = layer.forward(h);
    kept.push(h);
    await lib.synchronize();
    rows.push({
      name: `forward ${i} ${layer.constructor.name}`,
      ms: performance.now() - start,
    });
  }
  let start = performance.now();
  const loss = lib.crossEntropy(h, y);
  opt.zeroGrad();
  loss.backward();
  await lib.synchronize();
  rows.push({
    name: "loss + backward (all layers)",
    ms: performance.now() - start,
  });
  start = performance.now();
  opt.step();
  await lib.synchronize();
  rows.push({ name: "SGD step", ms: performance.now() - start });
  for (const t of [...kept, loss]) t.dispose();
  return rows;
}

const results: {
  batch: number;
  ours: number;
  oursCpu?: number;
  tfjs?: number;
  torch?: number;
  torchCpu?: number;
}[] = [];
for (const batch of batches) {
  const x = lib.randn([batch, 1, 224, 224]);
  const y = Array.from({ length: batch }, (_, i) => i % 10);
  await step(x, y).item(); // warm-up: pipeline compiles, pool fills
  lib.emptyPool();
  const times: number[] = [];
  const cpu: number[] = [];
  let peak = 0;
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    const cpuStart = processCpuMs();
    const loss = step(x, y);
    await loss.item();
    times.push(performance.now() - start);
    const cpuEnd = processCpuMs();
    if (cpuStart !== undefined && cpuEnd !== undefined) {
      cpu.push(cpuEnd - cpuStart);
    }
    const m = lib.memory();
    peak = Math.max(peak, m.bytesInUse + m.bytesPooled);
    loss.dispose();
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)];
  const cpuMs = cpu.length ? cpu[Math.floor(cpu.length / 2)] : undefined;
  console.log(
    `\nbatch ${batch}: ${ms.toFixed(0)} ms per step (median of ${steps}), ` +
      `${(batch / ms * 1000).toFixed(1)} images/s, peak GPU memory ${
        (peak / 2 ** 20).toFixed(0)
      } MiB ` +
      `(${(net.numParameters() * 4 / 2 ** 20).toFixed(0)} MiB of weights)` +
      (cpuMs === undefined ? "" : `, ${cpuMs.toFixed(0)} ms of CPU per step`),
  );
  const timestamps = profile && hasTimestamps;
  console.log(
    timestamps
      ? "  per layer, GPU timestamps (no waits between layers):"
      : "  per layer, a wait after each (each row carries a submit-and-wait):",
  );
  opt.zeroGrad(); // as step() does: the gradients start empty, no adds
  const rows: ProfileRow[] = timestamps
    ? await profileStep(net.layers, x, y, () => opt.step(), kernelSplit)
    : await layerSplit(x, y);
  for (const row of rows) {
    console.log(`  ${row.name.padEnd(34)} ${row.ms.toFixed(1).padStart(8)} ms`);
    const shown = (row.kernels ?? []).filter(([, ms]) => ms >= 0.5);
    if (shown.length > 1 || (shown.length === 1 && row.ms >= 5)) {
      const parts = shown.map(([label, ms]) => `${label} ${ms.toFixed(1)}`);
      console.log(`      ${parts.join(", ")}`);
    }
  }
  results.push({ batch, ours: ms, oursCpu: cpuMs });
  x.dispose();
}

if (withTfjs) {
  const { startTfjs, tfjsAlexnetStep } = await import("./alexnet_tfjs.ts");
  if (await startTfjs()) {
    for (const r of results) {
      r.tfjs = await tfjsAlexnetStep(r.batch, r.batch > 8 ? 1 : 2);
    }
  }
}
if (withTorch) {
  const { torchAlexnetStep } = await import("./alexnet_torch.ts");
  for (const r of results) {
    const torch = await torchAlexnetStep(r.batch, steps);
    r.torch = torch.ms;
    r.torchCpu = torch.cpuMs;
  }
}
console.log(
  "\nbatch  ours ms/step  tfjs ms/step  tfjs/ours  torch ms/step  ours/torch" +
    "  ours CPU ms  torch CPU ms  CPU ours/torch",
);
const cell = (v: number | undefined, digits = 0) =>
  v === undefined || Number.isNaN(v) ? "-" : v.toFixed(digits);
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || Number.isNaN(a / b)
    ? "-"
    : cell(a / b, 1) + "x";
for (const r of results) {
  console.log(
    [
      String(r.batch).padStart(5),
      r.ours.toFixed(0).padStart(12),
      cell(r.tfjs).padStart(12),
      ratio(r.tfjs, r.ours).padStart(9),
      cell(r.torch).padStart(13),
      ratio(r.ours, r.torch).padStart(10),
      cell(r.oursCpu).padStart(11),
      cell(r.torchCpu).padStart(12),
      ratio(r.oursCpu, r.torchCpu).padStart(14),
    ].join("  "),
  );
}
