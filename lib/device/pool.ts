/**
 * Dispatcher of `shaders/pool.wgsl`: max and average pooling over NCHW
 * planes, forward and backward.
 *
 * @module
 */
import { allocate, release } from "./buffer_pool.ts";
import { fillTemplate, pipeline, shaderSource } from "./pipeline_cache.ts";
import { dispatch } from "./recorder.ts";

/** Sizes of one pooling: planes = N * C. */
export interface PoolShape {
  planes: number;
  height: number;
  width: number;
  outHeight: number;
  outWidth: number;
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
}

/** Pixels of a row per invocation, both ways (RUN in pool.wgsl). */
const RUN = 4;

/** Max or average. */
export type PoolKind = "max" | "avg";

function run(
  kind: PoolKind,
  backward: boolean,
  buffers: GPUBuffer[],
  s: PoolShape,
  count: number,
) {
  const max = kind === "max";
  const [kh, kw] = s.kernel;
  const [sh, sw] = s.stride;
  const [ph, pw] = s.padding;
  dispatch({
    label: `${kind}Pool2d${backward ? " backward" : ""}`,
    // the window is baked in (see pool.wgsl): a pipeline per window
    pipeline: pipeline(
      `pool|${max}|${backward}|${kh}x${kw}|${sh}x${sw}|${ph}x${pw}`,
      () =>
        fillTemplate(shaderSource("pool"), {
          MAX: String(max),
          BACKWARD: String(backward),
          KH: kh,
          KW: kw,
          SH: sh,
          SW: sw,
          PH: ph,
          PW: pw,
        }),
    ),
    buffers,
    uniforms: new Uint32Array([
      s.planes,
      s.height,
      s.width,
      s.outHeight,
      s.outWidth,
      0,
      0,
      0,
    ]),
    workgroups: [Math.ceil(count / 64)],
  });
}

/** Pools `x`; max pooling also returns the flat in-plane index of each maximum. */
export function poolForward(
  kind: PoolKind,
  x: GPUBuffer,
  s: PoolShape,
): { y: GPUBuffer; indices?: GPUBuffer } {
  const count = s.planes * s.outHeight * s.outWidth;
  const y = allocate(count * 4, `${kind}Pool2d`);
  const indices = allocate(
    kind === "max" ? count * 4 : 4,
    `${kind}Pool2d indices`,
  );
  run(
    kind,
    false,
    [x, y, indices],
    s,
    s.planes * s.outHeight * Math.ceil(s.outWidth / RUN),
  );
  if (kind === "max") return { y, indices };
  release(indices);
  return { y };
}

/** The gradient wrt the pooled input, from the output gradient (and max's indices). */
export function poolBackward(
  kind: PoolKind,
  gy: GPUBuffer,
  indices: GPUBuffer | undefined,
  s: PoolShape,
): GPUBuffer {
  const gx = allocate(
    s.planes * s.height * s.width * 4,
    `${kind}Pool2d backward`,
  );
  const dummy = indices ?? allocate(4, "unused indices");
  const runs = s.planes * s.height * Math.ceil(s.width / RUN);
  run(kind, true, [gy, gx, dummy], s, runs);
  if (!indices) release(dummy);
  return gx;
}
