/**
 * Dispatcher of `shaders/copy.wgsl`: strided gathers (permute, slice, pad,
 * expand) and scatters (writing a block into a larger buffer).
 *
 * @module
 */
import { allocate } from "./buffer_pool.ts";
import { fillTemplate, pipeline, shaderSource } from "./pipeline_cache.ts";
import { dispatch } from "./recorder.ts";
import { tuning } from "./tuning.ts";

const MAX_RANK = 8;

/** Per dimension of the iteration shape: where it reads (or writes) in the other tensor. */
export interface StridedAxis {
  /** Size of this dimension of the iteration shape. */
  size: number;
  /** Elements of the other tensor between neighbours along this dimension. */
  stride: number;
  /** Coordinate step (1 plain, 0 broadcast, k for a slice with step k). */
  step: number;
  /** Coordinate of element 0 along this dimension (negative for padding). */
  start: number;
  /** Coordinates in [0, bound) are inside the other tensor. */
  bound: number;
}

function run(
  scatter: boolean,
  x: GPUBuffer,
  out: GPUBuffer,
  axes: StridedAxis[],
  offset: number,
  fill: number,
) {
  if (axes.length > MAX_RANK) {
    throw new RangeError(
      `Cannot copy ${axes.length} dimensions: at most ${MAX_RANK}`,
    );
  }
  const n = axes.reduce((p, a) => p * a.size, 1);
  if (n === 0) return;
  // a scalar walks as one row of one element
  if (axes.length === 0) {
    axes = [{ size: 1, stride: 0, step: 1, start: 0, bound: 1 }];
  }
  const params = new ArrayBuffer(16 + 5 * 32);
  const u32 = new Uint32Array(params);
  const i32 = new Int32Array(params);
  const f32 = new Float32Array(params);
  u32[0] = n;
  u32[1] = axes.length;
  u32[2] = offset;
  f32[3] = fill;
  axes.forEach((axis, d) => {
    u32[4 + d] = axis.size;
    i32[12 + d] = axis.step;
    i32[20 + d] = axis.start;
    u32[28 + d] = axis.bound;
    u32[36 + d] = axis.stride;
  });
  const label = scatter ? "scatter" : "gather";
  // the elementwise kernels' grid: RUN elements of a row per invocation
  const { workgroup, perInvocation: runLength } = tuning.elementwise;
  const width = axes[axes.length - 1].size;
  const units = n / width * Math.ceil(width / runLength);
  dispatch({
    label,
    pipeline: pipeline(
      `copy|${scatter}|${workgroup}x${runLength}`,
      () =>
        fillTemplate(shaderSource("copy"), {
          SCATTER: String(scatter),
          WORKGROUP: workgroup,
          RUN: runLength,
        }),
    ),
    buffers: [x, out],
    uniforms: u32,
    workgroups: [
      Math.ceil(Math.min(units, 65535 * 16 * workgroup) / workgroup),
    ],
  });
}

/** A new buffer of the iteration shape, read from `x` through `axes`. */
export function gather(
  x: GPUBuffer,
  axes: StridedAxis[],
  offset = 0,
  fill = 0,
): GPUBuffer {
  const n = axes.reduce((p, a) => p * a.size, 1);
  const out = allocate(n * 4, "gather");
  run(false, x, out, axes, offset, fill);
  return out;
}

/** Writes contiguous `x` (the iteration shape) into `out` through `axes`. */
export function scatter(
  x: GPUBuffer,
  out: GPUBuffer,
  axes: StridedAxis[],
  offset = 0,
): void {
  run(true, x, out, axes, offset, 0);
}
