/**
 * Conv2d backward-weight as an explicit GEMM: x unrolled into columns
 * (`shaders/im2col.wgsl`), gy permuted to [OC, N * OH * OW], then one
 * matmul per group on the fast matmul kernels, whose B operand (the
 * columns) is read along k as vec4s. On lavapipe that beats gathering both
 * operands value by value inside the GEMM (conv2d_backward_weight.ts) by
 * about 1.4-2x on the AlexNet layers (docs/performance.md), although the
 * columns are KH * KW times the size of x. Where the columns would not fit
 * one binding, conv2d.ts runs the gathering GEMM instead.
 *
 * @module
 */
import { allocate, release } from "./buffer_pool.ts";
import type { Conv2dShape } from "./conv2d.ts";
import { gather } from "./copy.ts";
import { matmulWith } from "./matmul.ts";
import { fillTemplate, pipeline, shaderSource } from "./pipeline_cache.ts";
import { bindingLimit, dispatch } from "./recorder.ts";
import type { GemmTiling } from "./tuning.ts";

/** Most workgroups along one dimension of a dispatch (WebGPU's default limit). */
const MAX_WORKGROUPS = 65535;
const WORKGROUP = 64;

/** Floats of the column matrix of `s`: (C * KH * KW) x (N * OH * OW). */
function columnFloats(s: Conv2dShape): number {
  return s.inChannels * s.kernelHeight * s.kernelWidth * s.batch *
    s.outHeight * s.outWidth;
}

/**
 * True when the im2col path can run `s`: its columns fit one binding, and
 * the GEMM has 128 columns or more (C/groups x KH x KW). Below that
 * (conv1: 1 channel, 121 taps) the unrolled x costs more than the GEMM
 * gains: measured 45 ms gathering against 96 ms through im2col on lavapipe.
 *
 * @param s the layer's sizes
 * @returns whether {@link im2colBackwardWeight} takes the explicit GEMM
 */
export function im2colFits(s: Conv2dShape): boolean {
  const n = (s.inChannels / s.groups) * s.kernelHeight * s.kernelWidth;
  return n >= 128 && columnFloats(s) * 4 <= bindingLimit;
}

/** Records the columns of x into a new buffer [G * CG * KH * KW, N * OH * OW]. */
function im2col(x: GPUBuffer, s: Conv2dShape): GPUBuffer {
  const cols = s.batch * s.outHeight * s.outWidth;
  const rows = s.inChannels * s.kernelHeight * s.kernelWidth;
  const out = allocate(columnFloats(s) * 4, "im2col");
  const params = new Int32Array([
    cols,
    s.outHeight * s.outWidth,
    s.outWidth,
    rows,
    s.kernelHeight * s.kernelWidth,
    s.kernelWidth,
    s.inHeight * s.inWidth,
    s.inWidth,
    s.inHeight,
    s.inChannels,
    s.strideHeight,
    s.strideWidth,
    s.dilationHeight,
    s.dilationWidth,
    s.padHeight,
    s.padWidth,
  ]);
  const z = Math.ceil(rows / MAX_WORKGROUPS);
  const vec4 = cols % 4 === 0;
  dispatch({
    label: "im2col",
    pipeline: pipeline(
      `im2col|${vec4}`,
      () =>
        fillTemplate(shaderSource("im2col"), {
          OUT_TYPE: vec4 ? "vec4<f32>" : "f32",
          STORE: vec4
            ? "  out[row * (p.cols / 4u) + gid.x] = v;"
            : `  for (var q = 0u; q < 4u; q++) {
    if (col + q < p.cols) {
      out[row * p.cols + col + q] = v[q];
    }
  }`,
        }),
    ),
    buffers: [x, out],
    uniforms: params,
    workgroups: [Math.ceil(cols / 4 / WORKGROUP), Math.ceil(rows / z), z],
  });
  return out;
}

/**
 * Records gw [OC, C/groups, KH, KW] = the weight gradient of conv2d into
 * `out`: gy [OC, N * OH * OW] @ columns^T per group, with the matmul tile
 * of `tile`. Needs {@link im2colFits}.
 *
 * @param x input, NCHW
 * @param gy gradient of the output, NCHW
 * @param out the weight gradient
 * @param s the layer's sizes
 * @param tile the matmul configuration (either family; no `method`)
 */
export function im2colBackwardWeight(
  x: GPUBuffer,
  gy: GPUBuffer,
  out: GPUBuffer,
  s: Conv2dShape,
  tile: GemmTiling,
): void {
  const ohw = s.outHeight * s.outWidth;
  const k = s.batch * ohw;
  const axis = (size: number, stride: number) => ({
    size,
    stride,
    step: 1,
    start: 0,
    bound: size,
  });
  // gy [N, OC, P] -> [OC, N, P]: the rows of group g are its output channels
  const rowsOfGy = gather(gy, [
    axis(s.outChannels, ohw),
    axis(s.batch, s.outChannels * ohw),
    axis(ohw, 1),
  ]);
  const columns = im2col(x, s);
  matmulWith(tile, rowsOfGy, columns, undefined, out, {
    batch: s.groups,
    m: s.outChannels / s.groups,
    n: (s.inChannels / s.groups) * s.kernelHeight * s.kernelWidth,
    k,
    transA: false,
    transB: true,
    batchA: s.groups,
    batchB: s.groups,
  }, {});
  // safe right after recording: the commands of one encoder run in order
  release(rowsOfGy);
  release(columns);
}
