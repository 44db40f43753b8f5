/**
 * What the lavapipe conv2d kernels (conv2d_direct.ts,
 * conv2d_backward_weight.ts) share: filling `shaders/conv2d.wgsl`, its
 * parameter struct, and the strided axes of their weight and input gathers.
 *
 * @module
 */
import type { StridedAxis } from "./copy.ts";
import type { ConvGeometry } from "./conv2d_geometry.ts";
import { fillTemplate, shaderSource } from "./pipeline_cache.ts";
import { operandBinding, type OperandMode } from "./register_block.ts";
import { laneParameter } from "./subgroups.ts";
import type { GemmTiling } from "./tuning.ts";

/**
 * Fills `shaders/conv2d.wgsl` with a kernel's generated parts; `lanes` > 0
 * gives `main` the lane of a subgroup that shares rows (subgroups.ts).
 *
 * @returns the shader source
 */
export function fillConv(
  tile: GemmTiling,
  aMode: OperandMode,
  bMode: OperandMode,
  hasBias: boolean,
  helpers: string[],
  setup: string,
  accumulators: string,
  loop: string,
  store: string,
  lanes = 0,
): string {
  const bindings = [
    operandBinding("a", 0, aMode),
    operandBinding("b", 1, bMode),
  ];
  if (hasBias) {
    bindings.push(`@group(0) @binding(2) var<storage, read> bias: array<f32>;`);
  }
  const outBinding = bindings.length;
  bindings.push(
    `@group(0) @binding(${outBinding}) var<storage, read_write> out: array<f32>;`,
  );
  return fillTemplate(shaderSource("conv2d"), {
    BINDINGS: bindings.join("\n"),
    PARAMS_BINDING: outBinding + 1,
    PARAMS_SPACE: aMode === "texture" || bMode === "texture"
      ? "storage, read"
      : "uniform",
    HELPERS: helpers.join("\n"),
    WG_X: tile.groupX,
    WG_Y: tile.groupY,
    LANE: laneParameter(lanes),
    TM: tile.rows,
    SETUP: setup,
    ACCUMULATORS: accumulators,
    LOOP: loop,
    STORE: store,
  });
}

/** The Params struct of conv2d.wgsl, in field order. */
export function convParams(
  p: ConvGeometry & {
    tilesW: number;
    outH: number;
    outW: number;
    outSy: number;
    outSx: number;
    outY0: number;
    outX0: number;
    m: number;
    n: number;
    k: number;
    aGroupStride: number;
    /** DIRECT's epilogue: bit 0 adds the bias, bit 1 applies a ReLU. */
    flags?: number;
  },
): Uint32Array {
  const values = [
    p.batch,
    p.c,
    p.h,
    p.w,
    p.oc,
    p.oh,
    p.ow,
    p.cg,
    p.ocg,
    p.kh,
    p.kw,
    p.tilesW,
    p.sh,
    p.sw,
    p.ph,
    p.pw,
    p.dh,
    p.dw,
    p.outH,
    p.outW,
    p.outSy,
    p.outSx,
    p.outY0,
    p.outX0,
    p.m,
    p.n,
    p.k,
    p.aGroupStride,
    p.flags ?? 0,
  ];
  const params = new Uint32Array(32);
  new Int32Array(params.buffer).set(values); // the i32 fields may be negative
  return params;
}

/** An axis of a weight gather: `size` steps of `step` from `start` over a dimension of `stride`. */
export function axis(
  size: number,
  stride: number,
  bound: number,
  step = 1,
  start = 0,
): StridedAxis {
  return { size, stride, step, start, bound };
}
