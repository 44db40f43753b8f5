/**
 * The GEMM figures of the tensor library: the matmul and AlexNet conv2d
 * shapes of the "Figures" list, run through our dispatchers, and a timer
 * shared with the TensorFlow.js side.
 *
 * @module
 */
import { allocate, release } from "../lib/device/buffer_pool.ts";
import {
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dForward,
  type Conv2dShape,
} from "../lib/device/conv2d.ts";
import { matmul } from "../lib/device/matmul.ts";
import { mayWrite, synchronize, upload } from "../lib/device/recorder.ts";
import { GpuTimer } from "../lib/device/gpu_timer.ts";

/** One row of the table: a matmul or one product of a conv layer. */
export type BenchRow =
  | {
    kind: "matmul";
    name: string;
    m: number;
    n: number;
    k: number;
    /** Too big for a CPU adapter: skipped there unless `--only` names it. */
    gpuOnly?: boolean;
  }
  | {
    kind: "conv";
    name: string;
    product: "forward" | "backwardInput" | "backwardWeight";
    shape: Conv2dShape;
  };

/** A conv layer's shape from the usual few numbers (square kernel, stride, padding). */
export function convShape(
  batch: number,
  inChannels: number,
  size: number,
  outChannels: number,
  kernel: number,
  stride: number,
  pad: number,
): Conv2dShape {
  const out = Math.floor((size + 2 * pad - kernel) / stride) + 1;
  return {
    batch,
    inChannels,
    inHeight: size,
    inWidth: size,
    outChannels,
    kernelHeight: kernel,
    kernelWidth: kernel,
    strideHeight: stride,
    strideWidth: stride,
    padHeight: pad,
    padWidth: pad,
    dilationHeight: 1,
    dilationWidth: 1,
    groups: 1,
    outHeight: out,
    outWidth: out,
  };
}

const LAYERS: [string, Conv2dShape][] = [
  ["conv1 1->96 k11 s4 224", convShape(8, 1, 224, 96, 11, 4, 1)],
  ["conv2 96->256 k5 26", convShape(8, 96, 26, 256, 5, 1, 2)],
  ["conv3 256->384 k3 12", convShape(8, 256, 12, 384, 3, 1, 1)],
  ["conv4 384->384 k3 12", convShape(8, 384, 12, 384, 3, 1, 1)],
  ["conv5 384->256 k3 12", convShape(8, 384, 12, 256, 3, 1, 1)],
];

/** Every row of the Figures table, in print order. */
export const ROWS: BenchRow[] = [
  { kind: "matmul", name: "matmul 1024x1024x1024", m: 1024, n: 1024, k: 1024 },
  {
    kind: "matmul",
    name: "matmul 4096x4096x4096",
    m: 4096,
    n: 4096,
    k: 4096,
    gpuOnly: true,
  },
  {
    kind: "matmul",
    name: "matmul 128x6400 @ 6400x4096",
    m: 128,
    n: 4096,
    k: 6400,
  },
  {
    kind: "matmul",
    name: "matmul 128x4096 @ 4096x4096",
    m: 128,
    n: 4096,
    k: 4096,
  },
  ...LAYERS.flatMap(([name, shape]) =>
    (["forward", "backwardInput", "backwardWeight"] as const).map((
      product,
    ) => ({
      kind: "conv" as const,
      name: `${name} ${product}`,
      product,
      shape,
    }))
  ),
];

/** Floating-point operations of a row (2 per multiply-add). */
export function flops(row: BenchRow): number {
  if (row.kind === "matmul") return 2 * row.m * row.n * row.k;
  const s = row.shape;
  return 2 * s.batch * s.outChannels * s.outHeight * s.outWidth *
    (s.inChannels / s.groups) * s.kernelHeight * s.kernelWidth;
}

/** Sizes of the tensors a row reads: [first operand, second operand]. */
function operandSizes(row: BenchRow): [number, number] {
  if (row.kind === "matmul") return [row.m * row.k, row.k * row.n];
  const s = row.shape;
  const x = s.batch * s.inChannels * s.inHeight * s.inWidth;
  const w = s.outChannels * (s.inChannels / s.groups) * s.kernelHeight *
    s.kernelWidth;
  const y = s.batch * s.outChannels * s.outHeight * s.outWidth;
  return row.product === "forward"
    ? [x, w]
    : row.product === "backwardInput"
    ? [y, w]
    : [x, y];
}

/** One side of a row, ready to time: `run` records a call, `sync` waits for the device. */
export interface Timed {
  run(): void;
  sync(): Promise<void>;
  dispose(): void;
}

/**
 * Median seconds per call of each side, timed in alternation so that both
 * see the same machine load (the 2 cores here are shared, and other work
 * comes and goes): two warm-up calls each (the first compiles, the second
 * sizes the samples), then rounds of one sample per side, each sample
 * {@link samplePlan} calls between waits for the device, until `budget`
 * seconds are spent (at least 3 rounds unless one round alone takes 10
 * budgets, at most 9).
 */
export async function timeSides(
  sides: Timed[],
  budget = 2,
): Promise<number[]> {
  const reps: number[] = [];
  for (const side of sides) {
    side.run();
    await side.sync();
    const t0 = performance.now();
    side.run();
    await side.sync();
    reps.push(samplePlan((performance.now() - t0) / 1000));
  }
  const samples: number[][] = sides.map(() => []);
  const start = performance.now();
  for (let round = 0; round < 9; round++) {
    const spent = (performance.now() - start) / 1000;
    // 3 rounds or more, but fewer when a round is very slow (tfjs's filter
    // gradient of conv2 takes about a minute per call here)
    if (round >= 3 && spent > budget || round >= 1 && spent > 10 * budget) {
      break;
    }
    for (const [i, side] of sides.entries()) {
      const t0 = performance.now();
      for (let r = 0; r < reps[i]; r++) side.run();
      await side.sync();
      samples[i].push((performance.now() - t0) / 1000 / reps[i]);
    }
  }
  return samples.map((list) => {
    list.sort((a, b) => a - b);
    return list[Math.floor(list.length / 2)];
  });
}

/**
 * Seconds a timed sample lasts at least. Every wait for the device costs a
 * fixed 10 ms or more in Deno (its `onSubmittedWorkDone` and `mapAsync`
 * sleep 10 ms after polling the device: docs/performance.md), so a sample
 * of one 30 ms call would be a quarter wait. A training loop waits once per
 * step, after hundreds of calls; so does a sample of this length.
 */
export const SAMPLE_SECONDS = 0.25;

/**
 * Calls per timed sample, from the seconds one call took with its wait:
 * enough calls to last {@link SAMPLE_SECONDS}, 1 to 32.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { samplePlan } from "./gemm.ts";
 * assert.equal(samplePlan(0.04), 7); // matmul 1024^3 on lavapipe
 * assert.equal(samplePlan(60), 1); // tfjs's conv2 filter gradient
 * ```
 */
export function samplePlan(secondsPerCall: number): number {
  return Math.max(1, Math.min(32, Math.ceil(SAMPLE_SECONDS / secondsPerCall)));
}

function randomBuffer(n: number): GPUBuffer {
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.random() * 2 - 1;
  const buffer = allocate(n * 4, "bench input");
  upload(buffer, data);
  return buffer;
}

/** Our dispatcher on `row`, ready to time. */
export function prepareOurs(row: BenchRow): Timed {
  const [p, q] = operandSizes(row).map(randomBuffer);
  return {
    run() {
      // as in training, where the weights change every step: no call
      // reuses the textures an earlier one staged (texture_staging.ts)
      [p, q].forEach(mayWrite);
      if (row.kind === "matmul") {
        release(matmul(p, q, { batch: 1, m: row.m, n: row.n, k: row.k }));
      } else if (row.product === "forward") {
        release(conv2dForward(p, q, undefined, row.shape));
      } else if (row.product === "backwardInput") {
        release(conv2dBackwardInput(p, q, row.shape));
      } else release(conv2dBackwardWeight(p, q, row.shape));
    },
    sync: synchronize,
    dispose() {
      release(p);
      release(q);
    },
  };
}

/** GFLOP/s of our dispatcher on `row`, timed alone. */
export async function benchOurs(
  row: BenchRow,
  budget?: number,
): Promise<number> {
  const ours = prepareOurs(row);
  const [seconds] = await timeSides([ours], budget);
  ours.dispose();
  return flops(row) / seconds / 1e9;
}

/**
 * Seconds per call of our dispatcher on `row` from GPU timestamps around
 * `reps` calls recorded back to back (no submit-and-wait in the figure);
 * the device must have timestamp-query.
 */
export async function gpuSeconds(row: BenchRow, reps: number): Promise<number> {
  const ours = prepareOurs(row);
  ours.run(); // compiles
  await ours.sync();
  const timer = new GpuTimer(2);
  timer.mark(0);
  for (let i = 0; i < reps; i++) ours.run();
  timer.mark(1);
  const [begin, end] = await timer.read();
  ours.dispose();
  return (end - begin) / reps;
}
