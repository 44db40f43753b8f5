/**
 * The GPU family of conv2d: forward, backward-input and backward-weight as
 * implicit GEMMs on the workgroup-memory tiles of `shaders/gemm_tiled.wgsl`,
 * gathering the NCHW tensors as im2col matrices inside the kernel (never in
 * memory). Per group g (workgroup_id.z):
 *
 * - forward: m = output channel, n = (sample, oy, ox), k = (c, ky, kx);
 * - backward-input: m = input channel, n = (sample, iy, ix), k = (o, ky,
 *   kx), B = gy at the output pixel whose window puts tap (ky, kx) on
 *   (iy, ix), zero where the stride skips it;
 * - backward-weight: m = output channel, n = (c, ky, kx), k = (sample, oy,
 *   ox), split over K (the reduction runs over batch x output pixels, long
 *   next to M and N): each split writes partial sums, then one reduction.
 *
 * @module
 */
import { allocate, release } from "./buffer_pool.ts";
import type { Conv2dShape } from "./conv2d.ts";
import { convGeometry } from "./conv2d_geometry.ts";
import { epilogue, type GemmEpilogue } from "./epilogue.ts";
import {
  blockOf,
  type TiledConfig,
  tiledGemmShader,
  tiledParams,
} from "./gemm_tiled.ts";
import { pipeline } from "./pipeline_cache.ts";
import { copyBuffer } from "./recorder.ts";
import { reduce } from "./reduce.ts";
import { LANES } from "./register_block.ts";
import { dispatchTiled } from "./tiled_dispatch.ts";

/** The conv2d products of this family. */
export type ConvProduct = "forward" | "input" | "weight";

/** WGSL lines splitting k or n index `v` into (c or o, ky, kx) of the kernel. */
const TAP = (v: string) =>
  `let khw = p.kh * p.kw;
let ch = ${v} / khw;
let tap = ${v} % khw;
let ky = i32(tap / p.kw);
let kx = i32(tap % p.kw);`;

/** WGSL reading x at (sample nb, channel, iy, ix), zero in the padding. */
const X_AT = `let inside = iy >= 0 && iy < i32(p.h) && ix >= 0 && ix < i32(p.w);
let v = b[((nb * p.c + z * p.cg + ch) * p.h + u32(clamp(iy, 0, i32(p.h) - 1))) * p.w + u32(clamp(ix, 0, i32(p.w) - 1))];
return select(0.0, v, inside);`;

/**
 * The im2col value: x at the kernel tap `tap` (an index over Cg*KH*KW) of
 * the output pixel `pixel` (an index over N*OH*OW). Forward reads it with
 * the tap along K, the weight gradient with the pixel along K.
 */
function im2col(tap: string, pixel: string): string {
  return `${TAP(tap)}
let ohw = p.oh * p.ow;
let nb = ${pixel} / ohw;
let q = ${pixel} % ohw;
let iy = i32(q / p.ow) * p.sh - p.ph + ky * p.dh;
let ix = i32(q % p.ow) * p.sw - p.pw + kx * p.dw;
${X_AT}`;
}

/** Gathers and stores of one product. */
function gathers(
  product: ConvProduct,
  hasBias: boolean,
  relu: boolean,
): {
  loadA: string;
  loadB: string;
  aAlongK: boolean;
  bAlongK: boolean;
  store: (value: string, row: string, col: string) => string;
} {
  switch (product) {
    case "forward":
      return {
        // A = w [OC, Cg*KH*KW] of group z; B = x as im2col
        loadA: "return a[(z * p.ocg + row) * p.k + kk];",
        loadB: im2col("kk", "col"),
        aAlongK: true,
        bAlongK: false,
        store: (value, row, col) =>
          `let o = zb * p.ocg + ${row}; let ohw = p.oh * p.ow; out[((${col}) / ohw * p.oc + o) * ohw + (${col}) % ohw] = ${
            epilogue(value, hasBias ? "bias[o]" : undefined, relu)
          };`,
      };
    case "input":
      return {
        // A = w as [Cg, (o, ky, kx)] of group z; B = gy at the window that reaches (iy, ix)
        loadA:
          "let khw = p.kh * p.kw;\nreturn a[((z * p.ocg + kk / khw) * p.cg + row) * khw + kk % khw];",
        loadB: `${TAP("kk")}
let hw = p.h * p.w;
let nb = col / hw;
let q = col % hw;
let ty = i32(q / p.w) + p.ph - ky * p.dh;
let tx = i32(q % p.w) + p.pw - kx * p.dw;
let oy = max(ty, 0) / p.sh;
let ox = max(tx, 0) / p.sw;
let inside = ty >= 0 && tx >= 0 && ty % p.sh == 0 && tx % p.sw == 0 && oy < i32(p.oh) && ox < i32(p.ow);
let v = b[((nb * p.oc + z * p.ocg + ch) * p.oh + min(u32(oy), p.oh - 1u)) * p.ow + min(u32(ox), p.ow - 1u)];
return select(0.0, v, inside);`,
        aAlongK: true,
        bAlongK: false,
        store: (value, row, col) =>
          `let hw = p.h * p.w; out[((${col}) / hw * p.c + zb * p.cg + ${row}) * hw + (${col}) % hw] = ${value};`,
      };
    case "weight":
      return {
        // A = gy as [OCg, (n, oy, ox)]; B = x as the transposed im2col
        loadA:
          "let ohw = p.oh * p.ow;\nreturn a[((kk / ohw) * p.oc + z * p.ocg + row) * ohw + kk % ohw];",
        loadB: im2col("col", "kk"),
        aAlongK: true,
        bAlongK: true,
        store: (value, row, col) =>
          `out[zs * p.oc * N + (zb * p.ocg + ${row}) * N + ${col}] = ${value};`,
      };
    default:
      return product satisfies never;
  }
}

function shader(
  product: ConvProduct,
  tile: TiledConfig,
  hasBias: boolean,
  relu: boolean,
): string {
  const g = gathers(product, hasBias, relu);
  return tiledGemmShader(tile, {
    ...g,
    extra: hasBias ? ["bias"] : [],
    store: (i, j, value) => {
      const lines = [`if (row0 + ${i}u < M) {`];
      for (let q = 0; q < 4; q++) {
        const col = `col0 + ${4 * j + q}u`;
        lines.push(
          `  if (${col} < N) { ${
            g.store(`${value}.${LANES[q]}`, `row0 + ${i}u`, col)
          } }`,
        );
      }
      lines.push("}");
      return lines;
    },
  });
}

/** GEMM sizes of one product of `s`, per group. */
function gemmSizes(
  product: ConvProduct,
  s: Conv2dShape,
): { m: number; n: number; k: number } {
  const cg = s.inChannels / s.groups;
  const ocg = s.outChannels / s.groups;
  const khw = s.kernelHeight * s.kernelWidth;
  const ohw = s.outHeight * s.outWidth;
  switch (product) {
    case "forward":
      return { m: ocg, n: s.batch * ohw, k: cg * khw };
    case "input":
      return { m: cg, n: s.batch * s.inHeight * s.inWidth, k: ocg * khw };
    case "weight":
      return { m: ocg, n: cg * khw, k: s.batch * ohw };
    default:
      return product satisfies never;
  }
}

/**
 * Records one conv2d product with the tiled GPU kernel into `out`.
 *
 * @param product which of the three
 * @param a forward: w; input: w; weight: gy
 * @param b forward: x; input: gy; weight: x
 * @param bias forward only: [OC], optional
 * @param out y, gx or gw (NCHW, or [OC, Cg, KH, KW])
 * @param s the layer
 * @param tile the configuration; `splitK` splits the weight gradient's K
 * @param post forward only: the epilogue
 */
export function tiledConv(
  product: ConvProduct,
  a: GPUBuffer,
  b: GPUBuffer,
  bias: GPUBuffer | undefined,
  out: GPUBuffer,
  s: Conv2dShape,
  tile: TiledConfig & { splitK?: number },
  post: GemmEpilogue = {},
): void {
  const { m, n, k } = gemmSizes(product, s);
  const { bm, bn } = blockOf(tile);
  const depth = tile.sharedDepth;
  const splits = product === "weight"
    ? Math.max(1, Math.min(tile.splitK ?? 1, Math.ceil(k / depth)))
    : 1;
  // each split sums whole slices
  const kSplit = Math.ceil(Math.ceil(k / splits) / depth) * depth;
  const hasBias = bias !== undefined && product === "forward";
  const relu = post.relu === true && product === "forward";
  const key =
    `conv2d|tiled|${product}|${tile.rows}x${tile.cols}/${tile.groupX}x${tile.groupY}|${depth}|${hasBias}|${relu}`;
  const compiled = pipeline(
    key,
    () => shader(product, tile, hasBias, relu),
  );
  const params = tiledParams({
    m,
    n,
    k,
    kSplit,
    ...convGeometry(s),
    splits,
  });
  const target = splits > 1
    ? allocate(splits * s.outChannels * n * 4, "conv2d weight gradient parts")
    : out;
  const buffers = [a, b, ...(hasBias ? [bias!] : []), target];
  dispatchTiled(
    `conv2d ${product}`,
    compiled,
    buffers.map((buffer) => ({ kind: "buffer", buffer })),
    params,
    [Math.ceil(n / bn), Math.ceil(m / bm), s.groups * splits],
  );
  if (splits > 1) {
    const total = s.outChannels * n;
    const { values } = reduce("sum", target, 1, splits, total);
    copyBuffer(values, out, total * 4);
    release(values);
    release(target);
  }
}
