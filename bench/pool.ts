/**
 * GPU time of the max-pooling kernels, forward and backward, at the course
 * AlexNet's three pools (batch 8 by default), from timestamps around
 * `--reps` calls recorded without a wait. Usage:
 * `DENO_WEBGPU_TUNE=off deno run -A bench/pool.ts [--batch=8] [--reps=5]`
 *
 * @module
 */
import * as lib from "../lib/mod.ts";
import { release } from "../lib/device/buffer_pool.ts";
import { GpuTimer } from "../lib/device/gpu_timer.ts";
import {
  poolBackward,
  poolForward,
  type PoolShape,
} from "../lib/device/pool.ts";

const flag = (name: string, fallback: number) =>
  Number(
    Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ??
      fallback,
  );
const batch = flag("batch", 8);
const reps = flag("reps", 5);

/** The input of each pool: after conv1, conv2 and conv5. */
const POOLS: [number, number][] = [[96, 54], [256, 26], [256, 12]];

console.log("pool input (batch)        forward ms  backward ms");
for (const [channels, size] of POOLS) {
  const x = lib.randn([batch, channels, size, size]);
  const out = Math.floor((size - 3) / 2) + 1;
  const shape: PoolShape = {
    planes: batch * channels,
    height: size,
    width: size,
    outHeight: out,
    outWidth: out,
    kernel: [3, 3],
    stride: [2, 2],
    padding: [0, 0],
  };
  const timer = new GpuTimer(2 * reps + 1);
  await lib.synchronize();
  timer.mark(0);
  const outputs = [];
  for (let r = 0; r < reps; r++) {
    outputs.push(poolForward("max", x.buffer, shape));
    timer.mark(1 + r);
  }
  const grads = [];
  for (let r = 0; r < reps; r++) {
    // the output itself stands in for its gradient
    grads.push(poolBackward("max", outputs[r].y, outputs[r].indices, shape));
    timer.mark(1 + reps + r);
  }
  const t = await timer.read();
  const forward = (t[reps] - t[0]) * 1000 / reps;
  const backward = (t[2 * reps] - t[reps]) * 1000 / reps;
  console.log(
    `${channels}x${size}x${size} (${batch})`.padEnd(26) +
      forward.toFixed(2).padStart(10) + backward.toFixed(2).padStart(13),
  );
  for (const { y, indices } of outputs) [y, indices!].forEach(release);
  grads.forEach(release);
  x.dispose();
}
