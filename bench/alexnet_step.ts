/**
 * `deno run -A bench/alexnet_step.ts [--batch=8,32] [--steps=3] [--no-tfjs]`:
 * the course AlexNet's training step (forward, backward, SGD) at 1x224x224:
 * milliseconds per step, images per second, the per-layer split of forward
 * and backward, and peak GPU memory; then the same network and step through
 * TensorFlow.js's WebGPU backend on the same adapter, and the ratio.
 * Figures, not tests.
 *
 * @module
 */
import * as lib from "../lib/mod.ts";
import { models, optim } from "../lib/mod.ts";

const arg = (name: string, fallback: string) =>
  Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const batches = arg("batch", "8,32").split(",").map(Number);
const steps = Number(arg("steps", "3"));
const withTfjs = !Deno.args.includes("--no-tfjs");

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

const results: { batch: number; ours: number; tfjs?: number }[] = [];
for (const batch of batches) {
  const x = lib.randn([batch, 1, 224, 224]);
  const y = Array.from({ length: batch }, (_, i) => i % 10);
  await step(x, y).item(); // warm-up: pipeline compiles, pool fills
  lib.emptyPool();
  const times: number[] = [];
  let peak = 0;
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    const loss = step(x, y);
    await loss.item();
    times.push(performance.now() - start);
    const m = lib.memory();
    peak = Math.max(peak, m.bytesInUse + m.bytesPooled);
    loss.dispose();
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)];
  console.log(
    `\nbatch ${batch}: ${ms.toFixed(0)} ms per step (median of ${steps}), ` +
      `${(batch / ms * 1000).toFixed(1)} images/s, peak GPU memory ${
        (peak / 2 ** 20).toFixed(0)
      } MiB ` +
      `(${(net.numParameters() * 4 / 2 ** 20).toFixed(0)} MiB of weights)`,
  );
  for (const row of await layerSplit(x, y)) {
    console.log(`  ${row.name.padEnd(34)} ${row.ms.toFixed(1).padStart(8)} ms`);
  }
  results.push({ batch, ours: ms });
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
console.log("\nbatch  ours ms/step  tfjs ms/step  tfjs/ours");
for (const r of results) {
  const tf = r.tfjs === undefined ? "-" : r.tfjs.toFixed(0);
  const ratio = r.tfjs === undefined ? "-" : (r.tfjs / r.ours).toFixed(1) + "x";
  console.log(
    `${String(r.batch).padStart(5)}  ${r.ours.toFixed(0).padStart(12)}  ${
      tf.padStart(12)
    }  ${ratio.padStart(9)}`,
  );
}
