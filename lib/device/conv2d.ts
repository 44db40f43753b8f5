/**
 * Conv2d forward and its two gradients, each through one of two kernel
 * families chosen per shape class by the autotuner (tuner.ts), or without
 * a tuned choice by the adapter's row of tuning.ts:
 *
 * - lavapipe: register-block implicit GEMMs on `shaders/conv2d.wgsl`, the
 *   DIRECT kernel for forward (conv2d_direct.ts) and backward-input
 *   (conv2d_backward_input.ts), a gathering GEMM for backward-weight
 *   (conv2d_backward_weight.ts);
 * - GPUs: implicit GEMMs on the workgroup-memory tiles of
 *   `shaders/gemm_tiled.wgsl` (conv2d_tiled.ts), split-K for backward-weight.
 *
 * User-facing shape checks live above the device layer; these functions
 * only assert that the shape is consistent.
 *
 * @module
 */
import { allocate, release } from "./buffer_pool.ts";
import { directBackwardInput } from "./conv2d_backward_input.ts";
import { registerBackwardWeight } from "./conv2d_backward_weight.ts";
import { directForward } from "./conv2d_direct.ts";
import { im2colBackwardWeight, im2colFits } from "./conv2d_im2col.ts";
import {
  type InputPatches,
  type PatchSlot,
  winogradConv,
  winogradFits,
} from "./conv2d_winograd.ts";
import {
  winogradBackwardWeight,
  winogradWeightFits,
} from "./conv2d_winograd_weight.ts";
import { type ConvProduct, tiledConv } from "./conv2d_tiled.ts";
import type { GemmEpilogue } from "./epilogue.ts";
import { bucket, current, type Family, tuned } from "./tuner.ts";
import { randomBuffer } from "./tuner_inputs.ts";
import {
  configName,
  type GemmTiling,
  isTiled,
  tuning,
  winogradTileOf,
} from "./tuning.ts";

export type { InputPatches, PatchSlot } from "./conv2d_winograd.ts";

/** Sizes of a conv2d layer; `outHeight`/`outWidth` follow from the rest. */
export interface Conv2dShape {
  /** Samples N. */
  batch: number;
  /** Input channels C. */
  inChannels: number;
  /** Input height H. */
  inHeight: number;
  /** Input width W. */
  inWidth: number;
  /** Output channels OC. */
  outChannels: number;
  /** Kernel height KH. */
  kernelHeight: number;
  /** Kernel width KW. */
  kernelWidth: number;
  /** Vertical stride. */
  strideHeight: number;
  /** Horizontal stride. */
  strideWidth: number;
  /** Zero rows added above and below. */
  padHeight: number;
  /** Zero columns added left and right. */
  padWidth: number;
  /** Vertical distance between kernel taps (1: adjacent). */
  dilationHeight: number;
  /** Horizontal distance between kernel taps. */
  dilationWidth: number;
  /** Channel groups: C and OC are split into this many independent convolutions. */
  groups: number;
  /** Output height OH = floor((H + 2*padH - dilH*(KH-1) - 1) / strideH) + 1. */
  outHeight: number;
  /** Output width OW, likewise. */
  outWidth: number;
}

/** Asserts what the callers above the device layer have checked: groups divide the channels, the output size follows. */
function assertShape(s: Conv2dShape): void {
  const out = (
    size: number,
    kernel: number,
    stride: number,
    pad: number,
    dil: number,
  ) => Math.floor((size + 2 * pad - dil * (kernel - 1) - 1) / stride) + 1;
  if (
    s.inChannels % s.groups !== 0 || s.outChannels % s.groups !== 0 ||
    out(
        s.inHeight,
        s.kernelHeight,
        s.strideHeight,
        s.padHeight,
        s.dilationHeight,
      ) !== s.outHeight ||
    out(
        s.inWidth,
        s.kernelWidth,
        s.strideWidth,
        s.padWidth,
        s.dilationWidth,
      ) !==
      s.outWidth
  ) {
    throw new RangeError(
      `Assertion failed: inconsistent conv2d shape ${JSON.stringify(s)}`,
    );
  }
}

/** Numbers of elements of x, w and y. */
function sizes(s: Conv2dShape): { x: number; w: number; y: number } {
  return {
    x: s.batch * s.inChannels * s.inHeight * s.inWidth,
    w: s.outChannels * (s.inChannels / s.groups) * s.kernelHeight *
      s.kernelWidth,
    y: s.batch * s.outChannels * s.outHeight * s.outWidth,
  };
}

/**
 * Records one product of conv2d into `out` with one configuration of
 * either family (a tiled one when `sharedDepth` is set).
 *
 * @param product forward (a = x, b = w), input (a = gy, b = w) or weight (a = x, b = gy)
 * @param slot forward: where a Winograd run leaves its transformed input;
 *   weight: where a Winograd run with the same tile finds it
 */
export function conv2dWith(
  product: ConvProduct,
  config: GemmTiling,
  a: GPUBuffer,
  b: GPUBuffer,
  bias: GPUBuffer | undefined,
  out: GPUBuffer,
  s: Conv2dShape,
  post: GemmEpilogue = {},
  slot?: PatchSlot,
): void {
  if (config.method !== undefined) {
    // another algorithm on the matmul kernels where the layer allows it,
    // else the family's own kernel with the same tile
    const { method: _, ...plain } = config;
    if (methodApplies(product, config, s)) {
      if (config.method === "im2col") {
        return im2colBackwardWeight(a, b, out, s, plain);
      }
      const tile = winogradTileOf(config.method);
      if (product === "weight") {
        return winogradBackwardWeight(
          a,
          b,
          out,
          s,
          plain,
          tile,
          slot?.patches,
        );
      }
      // forward: a = x, b = w; input: a = gy, b = w
      return winogradConv(
        product,
        a,
        b,
        bias,
        out,
        s,
        plain,
        tile,
        post,
        slot,
      );
    }
    if (product === "weight" && config.method !== "im2col") {
      // the weight gradient's next best where Winograd cannot run
      config = { ...plain, method: "im2col" };
      return conv2dWith(product, config, a, b, bias, out, s, post, slot);
    }
    config = plain;
  }
  if (isTiled(config)) {
    // the tiled kernels take the operand that is read along k first:
    // w (forward, input) or gy (weight)
    tiledConv(product, b, a, bias, out, s, config, post);
    return;
  }
  switch (product) {
    case "forward":
      return directForward(a, b, bias, out, s, config, post);
    case "input":
      return directBackwardInput(a, b, out, s, config);
    case "weight":
      return registerBackwardWeight(a, b, out, s, config);
    default:
      return product satisfies never;
  }
}

/** True when `config` has no `method`, or one that can run `product` of `s`. */
function methodApplies(
  product: ConvProduct,
  config: GemmTiling,
  s: Conv2dShape,
): boolean {
  switch (config.method) {
    case undefined:
      return true;
    case "im2col":
      return product === "weight" && im2colFits(s);
    case "winograd":
    case "winograd4": {
      const tile = winogradTileOf(config.method);
      return product === "weight"
        ? winogradWeightFits(s, tile)
        : winogradFits(product, s, tile);
    }
    default:
      return config.method satisfies never;
  }
}

/**
 * Whether a weight gradient run with `weight` reads the patches that a
 * forward run with `forward` keeps: both run Winograd with one tile.
 */
function sharesPatches(
  forward: GemmTiling,
  weight: GemmTiling,
  s: Conv2dShape,
): boolean {
  const method = forward.method;
  return (method === "winograd" || method === "winograd4") &&
    weight.method === method && methodApplies("forward", forward, s) &&
    methodApplies("weight", weight, s);
}

/** Rows of the GEMM of a product: its output channels (input channels for the input gradient), per group. */
function gemmRows(product: ConvProduct, s: Conv2dShape): number {
  return (product === "input" ? s.inChannels : s.outChannels) / s.groups;
}

/** The configuration of `product` without a tuned choice (tuning.ts). */
function convDefault(product: ConvProduct, s: Conv2dShape): GemmTiling {
  const wide = gemmRows(product, s) >= 32;
  if (!wide) return product === "weight" ? tuning.weightThin : tuning.convThin;
  return product === "weight"
    ? tuning.weight
    : product === "input"
    ? tuning.convInput
    : tuning.conv;
}

function convFamily(product: ConvProduct): Family<Conv2dShape> {
  return {
    name: `conv2d.${product}`,
    shapeClass: (s) =>
      [
        `c${s.inChannels}`,
        `oc${s.outChannels}`,
        `g${s.groups}`,
        `k${s.kernelHeight}x${s.kernelWidth}`,
        `s${s.strideHeight}x${s.strideWidth}`,
        `p${s.padHeight}x${s.padWidth}`,
        `d${s.dilationHeight}x${s.dilationWidth}`,
        `hw${bucket(s.inHeight)}x${bucket(s.inWidth)}`,
        `b${bucket(s.batch)}`,
      ].join("|"),
    candidates: (s) => {
      const wide = gemmRows(product, s) >= 32;
      const c = tuning.candidates;
      const list = product === "weight"
        ? (wide ? c.weight : c.weightThin)
        : (wide ? c.conv : c.convThin);
      // the default first (the tuner always times the first); another
      // algorithm that cannot run this layer would time its plain tile twice
      const first = convDefault(product, s);
      return [
        first,
        ...list.filter((c) => configName(c) !== configName(first)),
      ].filter((config) => methodApplies(product, config, s));
    },
    fallback: (s) => convDefault(product, s),
    flops: (s) =>
      2 * sizes(s).y * (s.inChannels / s.groups) * s.kernelHeight *
      s.kernelWidth,
    prepare: (s) => {
      const n = sizes(s);
      const [inputs, outFloats] = product === "forward"
        ? [[n.x, n.w], n.y]
        : product === "input"
        ? [[n.y, n.w], n.x]
        : [[n.x, n.y], n.w];
      const a = randomBuffer(inputs[0]);
      const b = randomBuffer(inputs[1]);
      const out = allocate(outFloats * 4, `conv2d ${product} tuning`);
      // training runs the weight gradient with the patches its forward
      // kept (lib/ops/conv.ts): time it the same way
      let slot: PatchSlot | undefined;
      try {
        slot = product === "weight" ? forwardPatches(a, s) : undefined;
      } catch (error) {
        [a, b, out].forEach(release);
        throw error;
      }
      const kept = slot?.patches?.buffer;
      return {
        run: (config) =>
          conv2dWith(product, config, a, b, undefined, out, s, {}, slot),
        dispose: () => [a, b, out, ...(kept ? [kept] : [])].forEach(release),
      };
    },
  };
}

/**
 * The Winograd patches of `x` that the forward of `s`, with its current
 * choice, would keep for a weight gradient candidate that reads them
 * (none where no candidate would).
 */
function forwardPatches(x: GPUBuffer, s: Conv2dShape): PatchSlot {
  const slot: PatchSlot = {};
  const config = current(CONV2D_FAMILIES.forward, s);
  const read = CONV2D_FAMILIES.weight.candidates(s).some((weight) =>
    sharesPatches(config, weight, s)
  );
  if (read) {
    const n = sizes(s);
    const w = randomBuffer(n.w);
    const y = allocate(n.y * 4, "conv2d forward tuning");
    try {
      conv2dWith("forward", config, x, w, undefined, y, s, {}, slot);
    } finally {
      [w, y].forEach(release);
    }
  }
  return slot;
}

/** The three conv2d families as the tuner sees them. */
export const CONV2D_FAMILIES: Record<ConvProduct, Family<Conv2dShape>> = {
  forward: convFamily("forward"),
  input: convFamily("input"),
  weight: convFamily("weight"),
};

/**
 * y [N, OC, OH, OW] = conv(x [N, C, H, W], w [OC, C/groups, KH, KW]) + bias[OC] if given, then max(0, .) with `post.relu`.
 *
 * @param x input, NCHW float32
 * @param w weights [OC, C/groups, KH, KW]
 * @param bias optional [OC]
 * @param s the layer's sizes (outHeight/outWidth must follow from the rest)
 * @param post the fused epilogue: `{ relu: true }` applies a ReLU in the store
 * @param slot where a Winograd forward leaves its transformed input for
 *   {@link conv2dBackwardWeight} of the same x (the caller then owns it),
 *   when the weight gradient's current choice reads them; else, and
 *   without a slot, they are released
 * @returns a new buffer from `allocate()`
 * @throws {RangeError} when the shape is inconsistent (an assertion: lib checks it first) or a tensor is larger than a binding
 */
export function conv2dForward(
  x: GPUBuffer,
  w: GPUBuffer,
  bias: GPUBuffer | undefined,
  s: Conv2dShape,
  post: GemmEpilogue = {},
  slot?: PatchSlot,
): GPUBuffer {
  assertShape(s);
  const n = sizes(s);
  const out = allocate(n.y * 4, "conv2d");
  if (n.y === 0) return out;
  const config = tuned(CONV2D_FAMILIES.forward, s);
  // patches that the weight gradient would not read are released at once
  const keeps = slot !== undefined &&
    sharesPatches(config, current(CONV2D_FAMILIES.weight, s), s);
  conv2dWith(
    "forward",
    config,
    x,
    w,
    bias,
    out,
    s,
    post,
    keeps ? slot : undefined,
  );
  return out;
}

/**
 * gx [N, C, H, W], the gradient of the loss with respect to the input, from
 * gy [N, OC, OH, OW] and w.
 *
 * @param gy gradient of the output, NCHW
 * @param w weights [OC, C/groups, KH, KW]
 * @param s the layer's sizes
 * @returns a new buffer from `allocate()`
 * @throws {RangeError} as {@link conv2dForward}
 */
export function conv2dBackwardInput(
  gy: GPUBuffer,
  w: GPUBuffer,
  s: Conv2dShape,
): GPUBuffer {
  assertShape(s);
  const n = sizes(s);
  const out = allocate(n.x * 4, "conv2d input gradient");
  if (n.x === 0) return out;
  const config = tuned(CONV2D_FAMILIES.input, s);
  conv2dWith("input", config, gy, w, undefined, out, s);
  return out;
}

/**
 * gw [OC, C/groups, KH, KW], the gradient with respect to the weights, from
 * x and gy.
 *
 * @param x input, NCHW
 * @param gy gradient of the output, NCHW
 * @param s the layer's sizes
 * @param patches the forward's transformed x ({@link conv2dForward}'s
 *   slot), read where this product runs Winograd with their tile; never
 *   released here
 * @returns a new buffer from `allocate()`
 * @throws {RangeError} as {@link conv2dForward}
 */
export function conv2dBackwardWeight(
  x: GPUBuffer,
  gy: GPUBuffer,
  s: Conv2dShape,
  patches?: InputPatches,
): GPUBuffer {
  assertShape(s);
  const n = sizes(s);
  const out = allocate(n.w * 4, "conv2d weight gradient");
  if (n.w === 0) return out;
  const config = tuned(CONV2D_FAMILIES.weight, s);
  conv2dWith("weight", config, x, gy, undefined, out, s, {}, { patches });
  return out;
}
