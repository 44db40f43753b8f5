/**
 * A per-layer profile of one training step of a `Sequential` network from
 * GPU timestamps, with no wait between layers: a timestamp mark after each
 * layer's forward, and an identity op after each layer whose backward
 * marks when that layer's output gradient is ready, so that the time
 * between two backward marks is one layer's backward. Needs the
 * `timestamp-query` feature (see bench/alexnet_step.ts for the fallback).
 *
 * @module
 */
import * as lib from "../lib/mod.ts";
import { record } from "../lib/core/autograd.ts";
import { GpuTimer } from "../lib/device/gpu_timer.ts";

/** One row of the profile. */
export interface ProfileRow {
  name: string;
  ms: number;
}

/**
 * Runs one step (forward, cross entropy, backward, `update`) with marks and
 * returns the GPU milliseconds of each layer's forward and backward, the
 * loss and the update.
 */
export async function profileStep(
  layers: {
    forward(x: lib.Tensor): lib.Tensor;
    constructor: { name: string };
  }[],
  x: lib.Tensor,
  labels: number[],
  update: () => void,
): Promise<ProfileRow[]> {
  const n = layers.length;
  // marks: 0 start, 1..n after each forward, n+1 after the loss,
  // n+2+i when layer i's output gradient is ready, 2n+2 end of backward,
  // 2n+3 after the update
  const timer = new GpuTimer(2 * n + 4);
  await lib.synchronize();
  lib.tidy(() => {
    timer.mark(0);
    let h = x;
    for (const [i, layer] of layers.entries()) {
      h = layer.forward(h);
      timer.mark(1 + i);
      const out = h;
      h = record("profile mark", [out], out.handle(), (g) => {
        timer.mark(n + 2 + i);
        return [g.handle()];
      });
    }
    const loss = lib.crossEntropy(h, labels);
    timer.mark(n + 1);
    loss.backward();
    timer.mark(2 * n + 2);
    update();
    timer.mark(2 * n + 3);
  });
  const t = await timer.read();
  const ms = (a: number, b: number) => (t[b] - t[a]) * 1000;
  const name = (i: number) => `${i} ${layers[i].constructor.name}`;
  const rows: ProfileRow[] = [];
  for (let i = 0; i < n; i++) {
    rows.push({ name: `forward ${name(i)}`, ms: ms(i, i + 1) });
  }
  rows.push({ name: "loss forward", ms: ms(n, n + 1) });
  rows.push({ name: "loss backward", ms: ms(n + 1, 2 * n + 1) });
  for (let i = n - 1; i >= 0; i--) {
    const end = i === 0 ? 2 * n + 2 : n + 1 + i;
    rows.push({ name: `backward ${name(i)}`, ms: ms(n + 2 + i, end) });
  }
  rows.push({ name: "SGD step", ms: ms(2 * n + 2, 2 * n + 3) });
  return rows;
}
