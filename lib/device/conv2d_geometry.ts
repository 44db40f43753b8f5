/**
 * A conv2d layer's sizes under the short names the kernels' parameter
 * structs use (conv2d.wgsl, gemm_tiled.wgsl), so each kernel spreads one
 * object into its struct instead of spelling out the mapping again.
 *
 * @module
 */
import type { Conv2dShape } from "./conv2d.ts";

/** The layer's sizes in the kernels' names. */
export interface ConvGeometry {
  batch: number;
  /** Input channels, height and width. */
  c: number;
  h: number;
  w: number;
  /** Output channels, height and width. */
  oc: number;
  oh: number;
  ow: number;
  /** Input and output channels per group. */
  cg: number;
  ocg: number;
  /** Kernel size, stride, padding and dilation. */
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
}

/**
 * The kernels' names for the sizes of `s`.
 *
 * @param s the layer's shape
 * @returns its geometry
 */
export function convGeometry(s: Conv2dShape): ConvGeometry {
  return {
    batch: s.batch,
    c: s.inChannels,
    h: s.inHeight,
    w: s.inWidth,
    oc: s.outChannels,
    oh: s.outHeight,
    ow: s.outWidth,
    cg: s.inChannels / s.groups,
    ocg: s.outChannels / s.groups,
    kh: s.kernelHeight,
    kw: s.kernelWidth,
    sh: s.strideHeight,
    sw: s.strideWidth,
    ph: s.padHeight,
    pw: s.padWidth,
    dh: s.dilationHeight,
    dw: s.dilationWidth,
  };
}
