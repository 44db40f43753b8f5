/**
 * A per-layer profile of one training step of a `Sequential` network from
 * GPU timestamps, with no wait between layers: a timestamp mark after each
 * layer's forward, and an identity op after each layer whose backward
 * marks when that layer's output gradient is ready, so that the time
 * between two backward marks is one layer's backward. With `kernels`, a
 * mark after every dispatch too, so that each row also says which kernels
 * its time went to (copies and texture staging count towards the dispatch
 * that follows them). A mark ends the recorder's compute pass, so there
 * every dispatch runs in a pass of its own. Needs the `timestamp-query`
 * feature (see bench/alexnet_step.ts for the fallback).
 *
 * @module
 */
import * as lib from "../lib/mod.ts";
import { record } from "../lib/core/autograd.ts";
import { GpuTimer } from "../lib/device/gpu_timer.ts";
import { observeDispatches } from "../lib/device/recorder.ts";
import { fusesRelu } from "../lib/nn/sequential.ts";

/** One row of the profile. */
export interface ProfileRow {
  name: string;
  ms: number;
  /** With `kernels`: milliseconds per dispatch label, largest first. */
  kernels?: [string, number][];
}

/** WebGPU allows at most 4096 queries in a set. */
const MAX_MARKS = 4096;
/** Slots kept for the layer, loss and update marks (2 per layer, 4 more). */
const LAYER_MARKS = 256;

/**
 * Marks in recording order; a kernel mark names the dispatch before it.
 * Kernel marks stop where only the layer marks' slots are left, so a step
 * with more dispatches keeps its layer rows and merges the last kernels.
 */
class Marks {
  readonly timer = new GpuTimer(MAX_MARKS);
  readonly kernelOf: (string | undefined)[] = [];
  dropped = 0;

  /** Records a mark; returns its index (a dropped kernel mark: the last one's). */
  mark(kernel?: string): number {
    const index = this.kernelOf.length;
    if (kernel !== undefined && index >= MAX_MARKS - LAYER_MARKS) {
      this.dropped++;
      return index - 1;
    }
    this.timer.mark(index);
    this.kernelOf.push(kernel);
    return index;
  }
}

/** A layer, or a Conv2d or Linear with the ReLU after it, which run as one kernel. */
interface Stage {
  name: string;
  forward(x: lib.Tensor): lib.Tensor;
}

/** The layers as `Sequential.forward` runs them: a fusing pair is one stage. */
function stagesOf(layers: readonly lib.nn.Module[]): Stage[] {
  const stages: Stage[] = [];
  for (let i = 0; i < layers.length; i++) {
    const fused = fusesRelu(layers[i], layers[i + 1]);
    const name = `${i} ${layers[i].constructor.name}`;
    if (fused) {
      stages.push({
        name: `${name}+ReLU`,
        forward: (x) => fused.forwardRelu(x),
      });
      i++;
    } else {
      const layer = layers[i];
      stages.push({ name, forward: (x) => layer.forward(x) });
    }
  }
  return stages;
}

/**
 * Runs one step (forward, cross entropy, backward, `update`) with marks and
 * returns the GPU milliseconds of each layer's forward and backward, the
 * loss and the update; with `kernels`, each row's split by kernel. A Conv2d
 * or Linear followed by a ReLU is one row, as `Sequential` runs them.
 */
export async function profileStep(
  net: lib.nn.Module[],
  x: lib.Tensor,
  labels: number[],
  update: () => void,
  kernels = false,
): Promise<ProfileRow[]> {
  const layers = stagesOf(net);
  const n = layers.length;
  const marks = new Marks();
  const forwardEnd: number[] = [];
  const gradientReady: number[] = [];
  let start = 0, lossEnd = 0, backwardEnd = 0, updateEnd = 0;
  await lib.synchronize();
  if (kernels) observeDispatches((label) => marks.mark(label));
  try {
    lib.tidy(() => {
      start = marks.mark();
      let h = x;
      for (const [i, layer] of layers.entries()) {
        h = layer.forward(h);
        forwardEnd[i] = marks.mark();
        const out = h;
        h = record("profile mark", [out], out.handle(), (g) => {
          gradientReady[i] = marks.mark();
          return [g.handle()];
        });
      }
      const loss = lib.crossEntropy(h, labels);
      lossEnd = marks.mark();
      loss.backward();
      backwardEnd = marks.mark();
      update();
      updateEnd = marks.mark();
    });
  } finally {
    observeDispatches(undefined);
  }
  const t = await marks.timer.read(marks.kernelOf.length);
  if (marks.dropped > 0) {
    console.warn(
      `profile: the last ${marks.dropped} dispatches had no mark left: each counts towards the layer mark after it`,
    );
  }
  const row = (name: string, from: number, to: number): ProfileRow => {
    const result: ProfileRow = { name, ms: (t[to] - t[from]) * 1000 };
    if (!kernels) return result;
    const split = new Map<string, number>();
    for (let i = from + 1; i <= to; i++) {
      const label = marks.kernelOf[i] ?? "(between kernels)";
      split.set(label, (split.get(label) ?? 0) + (t[i] - t[i - 1]) * 1000);
    }
    result.kernels = [...split].sort((a, b) => b[1] - a[1]);
    return result;
  };
  const name = (i: number) => layers[i].name;
  const rows: ProfileRow[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(
      row(
        `forward ${name(i)}`,
        i === 0 ? start : forwardEnd[i - 1],
        forwardEnd[i],
      ),
    );
  }
  rows.push(row("loss forward", forwardEnd[n - 1], lossEnd));
  rows.push(row("loss backward", lossEnd, gradientReady[n - 1]));
  for (let i = n - 1; i >= 0; i--) {
    const end = i === 0 ? backwardEnd : gradientReady[i - 1];
    rows.push(row(`backward ${name(i)}`, gradientReady[i], end));
  }
  rows.push(row("SGD step", backwardEnd, updateEnd));
  return rows;
}
