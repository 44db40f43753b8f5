/**
 * Winograd F(2x2, KxK) and F(4x4, KxK) for the stride-1 layers with 3x3
 * (conv3-5 of the course AlexNet) or 5x5 kernels (conv2): each TxT block
 * of outputs (T = 2 or 4) from an AxA input patch (A = T + K - 1) with
 * A * A multiplications per channel pair instead of K^2 T^2: for a 3x3
 * kernel 16 instead of 36, or 36 instead of 144; for a 5x5 one 36 instead
 * of 100, or 64 instead of 400. Three small transforms
 * (`shaders/winograd_{input,weight,output}.wgsl`, their arithmetic written
 * from the matrices of winograd_transforms.ts) around one batched matmul on
 * the fast matmul kernels: for each of the A * A elements xi of a
 * transformed tile, M[xi] [T, OC] = V[xi] [T, C] @ U[xi] [C, OC] (T = the
 * tiles of all samples), per group. Tiles as the GEMM's rows: with T = 2,
 * 36 x batch tiles of AlexNet's 12x12 layers are a multiple of the 32-row
 * register block at even batches, and OC of its 128 columns.
 *
 * Backward-input of such a layer is itself one: the convolution of gy with
 * the kernels turned by 180 degrees and the channels swapped, padding
 * K - 1 - pad, so it runs the same code (the weight transform flips).
 *
 * @module
 */
import { allocate, release } from "./buffer_pool.ts";
import type { Conv2dShape } from "./conv2d.ts";
import { epilogue, type GemmEpilogue } from "./epilogue.ts";
import { matmulWith } from "./matmul.ts";
import { fillTemplate, pipeline, shaderSource } from "./pipeline_cache.ts";
import { bindingLimit, dispatch, foldWorkgroups } from "./recorder.ts";
import type { GemmTiling } from "./tuning.ts";
import {
  loadCode,
  transformCode,
  type Transforms,
  transformsOf,
  type WinogradTaps,
  type WinogradTile,
} from "./winograd_transforms.ts";

const WORKGROUP = 64;

/** One stride-1 3x3 or 5x5 convolution as the Winograd code sees it. */
export interface Geometry {
  /** Outputs along a side of a tile: F(2x2, KxK) or F(4x4, KxK). */
  tile: WinogradTile;
  /** The kernel's side K: F(TxT, 3x3), or F(TxT, 5x5) (conv2). */
  taps: WinogradTaps;
  batch: number;
  /** Input channels of this convolution (OC for backward-input). */
  inChannels: number;
  outChannels: number;
  groups: number;
  inHeight: number;
  inWidth: number;
  pad: [number, number];
  outHeight: number;
  outWidth: number;
}

/** The forward product of `s` as a Winograd convolution in tiles of `tile`. */
export function forwardGeometry(s: Conv2dShape, tile: WinogradTile): Geometry {
  return {
    tile,
    taps: tapsOf(s.kernelHeight),
    batch: s.batch,
    inChannels: s.inChannels,
    outChannels: s.outChannels,
    groups: s.groups,
    inHeight: s.inHeight,
    inWidth: s.inWidth,
    pad: [s.padHeight, s.padWidth],
    outHeight: s.outHeight,
    outWidth: s.outWidth,
  };
}

function inputGeometry(s: Conv2dShape, tile: WinogradTile): Geometry {
  return {
    tile,
    taps: tapsOf(s.kernelHeight),
    batch: s.batch,
    inChannels: s.outChannels,
    outChannels: s.inChannels,
    groups: s.groups,
    inHeight: s.outHeight,
    inWidth: s.outWidth,
    pad: [s.kernelHeight - 1 - s.padHeight, s.kernelWidth - 1 - s.padWidth],
    outHeight: s.inHeight,
    outWidth: s.inWidth,
  };
}

/** `k` as the side of a kernel the transforms take whole. */
function tapsOf(k: number): WinogradTaps {
  if (k !== 3 && k !== 5) {
    throw new Error(`Winograd runs 3x3 and 5x5 kernels, not ${k}x${k}`);
  }
  return k;
}

/** The transforms of `g`. */
export function transformsFor(g: Geometry): Transforms {
  return transformsOf(g.tile, g.taps);
}

/** Tiles of outputs: [per sample, along a row, in all]. */
export function tilesOf(g: Geometry): [number, number, number] {
  const th = Math.ceil(g.outHeight / g.tile);
  const tw = Math.ceil(g.outWidth / g.tile);
  return [th * tw, tw, g.batch * th * tw];
}

/** Elements of a transformed tile of `g`, A * A. */
export function elementsOf(g: Geometry): number {
  return transformsFor(g).alpha ** 2;
}

/**
 * True when `product` of `s` can run as Winograd F(TxT, KxK): a square 3x3
 * or 5x5 kernel, stride 1 and dilation 1, padding below the kernel size
 * (backward-input pads by K - 1 - pad), and the transformed operands each
 * fit one binding.
 *
 * @param product forward or input
 * @param s the layer's sizes
 * @param tile the output tile's side T
 * @returns whether {@link winogradConv} can run it
 */
export function winogradFits(
  product: "forward" | "input",
  s: Conv2dShape,
  tile: WinogradTile,
): boolean {
  const k = s.kernelHeight;
  const plain = (k === 3 || k === 5) && s.kernelWidth === k &&
    s.strideHeight === 1 && s.strideWidth === 1 &&
    s.dilationHeight === 1 && s.dilationWidth === 1 &&
    s.padHeight < k && s.padWidth < k;
  if (!plain) return false;
  const g = product === "forward"
    ? forwardGeometry(s, tile)
    : inputGeometry(s, tile);
  const t = tilesOf(g)[2];
  const largest = elementsOf(g) *
    Math.max(
      g.inChannels * t,
      g.outChannels * t,
      g.outChannels * (g.inChannels / g.groups),
    );
  return largest * 4 <= bindingLimit;
}

/** A 1-D dispatch of `count` invocations of 64. */
export function workgroups(count: number): [number, number] {
  return foldWorkgroups(Math.ceil(count / WORKGROUP));
}

/** The values a Winograd shader template needs besides its own. */
export function tileValues(f: Transforms): Record<string, number> {
  const { tile, taps, alpha } = f;
  return {
    TILE: tile,
    TAPS: taps,
    TAPS_SQUARED: taps * taps,
    ALPHA: alpha,
    ALPHA_SQUARED: alpha * alpha,
    TILE_SQUARED: tile * tile,
  };
}

/** U [A * A, G, Q, R]: the transformed kernels (Q the GEMM's k, R its columns). */
function transformWeights(
  w: GPUBuffer,
  s: Conv2dShape,
  flip: boolean,
  g: Geometry,
) {
  const cg = s.inChannels / s.groups;
  const ocg = s.outChannels / s.groups;
  const [r, q] = flip ? [cg, ocg] : [ocg, cg];
  const count = s.groups * r * q;
  const u = allocate(elementsOf(g) * count * 4, "winograd weights");
  const f = transformsFor(g);
  dispatch({
    label: "winograd weights",
    pipeline: pipeline(
      `winograd|weight|${flip}|${f.tile}|${f.taps}`,
      () =>
        fillTemplate(shaderSource("winograd_weight"), {
          ...tileValues(f),
          FLIP: `${flip}`,
          TRANSFORM: transformCode(
            f.kernel,
            (i, j) => `g[${i * f.taps + j}]`,
            (i, j, value) => `u[id + ${i * f.alpha + j}u * stride] = ${value};`,
            "gg",
          ),
        }),
    ),
    buffers: [w, u],
    uniforms: new Uint32Array([count, r, q, cg]),
    workgroups: workgroups(count),
  });
  return u;
}

/**
 * WGSL that reads the alpha x alpha patch at (y0, x0) of the plane at
 * `base` into d{i}_{j}, zeros outside the input.
 */
function patchLoads(alpha: number): string {
  const lines: string[] = [];
  for (let i = 0; i < alpha; i++) {
    lines.push(
      `let iy${i} = y0 + ${i}; let inRow${i} = iy${i} >= 0 && iy${i} < i32(p.h);`,
    );
  }
  for (let j = 0; j < alpha; j++) {
    lines.push(
      `let ix${j} = x0 + ${j}; let inColumn${j} = ix${j} >= 0 && ix${j} < i32(p.w);`,
    );
  }
  for (let i = 0; i < alpha; i++) {
    for (let j = 0; j < alpha; j++) {
      const read = `x[base + u32(iy${i}) * p.w + u32(ix${j})]`;
      lines.push(
        `var d${i}_${j} = 0.0; if (inRow${i} && inColumn${j}) { d${i}_${j} = ${read}; }`,
      );
    }
  }
  return lines.map((line) => `  ${line}`).join("\n");
}

/**
 * The transformed input patches V [A * A, G, T, CG]: tiles as the rows and
 * channels along k of the forward's GEMM (its A), and tiles along k of the
 * weight gradient's (its B, conv2d_winograd_weight.ts), which reads the
 * forward's V where it kept them (see {@link PatchSlot}).
 */
export function transformInput(x: GPUBuffer, g: Geometry): GPUBuffer {
  const [tiles, tw, t] = tilesOf(g);
  const count = t * g.inChannels;
  const v = allocate(elementsOf(g) * count * 4, "winograd input");
  const f = transformsFor(g);
  dispatch({
    label: "winograd input",
    pipeline: pipeline(
      `winograd|input|${f.tile}|${f.taps}`,
      () =>
        fillTemplate(shaderSource("winograd_input"), {
          ...tileValues(f),
          LOADS: patchLoads(f.alpha),
          TRANSFORM: transformCode(
            f.input,
            (i, j) => `d${i}_${j}`,
            (i, j, value) => `v[o + ${i * f.alpha + j}u * stride] = ${value};`,
            "bd",
          ),
        }),
    ),
    buffers: [x, v],
    uniforms: new Uint32Array([
      count,
      tiles,
      tw,
      t,
      g.inChannels,
      g.inHeight,
      g.inWidth,
      g.pad[0],
      g.pad[1],
      g.inChannels / g.groups,
      0,
      0,
    ]),
    workgroups: workgroups(count),
  });
  return v;
}

/**
 * The WGSL that names output (i, j) of a tile and writes it through the
 * epilogue where it lies inside y (`rows`, `columns`: the tile's part
 * inside y).
 */
function outputStore(
  i: number,
  j: number,
  value: string,
  hasBias: boolean,
  relu: boolean,
): string {
  const name = `y${i}_${j}`;
  const stored = epilogue(name, hasBias ? "bias[channel]" : undefined, relu);
  const store = `y[base + ${i}u * p.ow + ${j}u] = ${stored};`;
  const inside = [
    ...(i > 0 ? [`rows > ${i}u`] : []),
    ...(j > 0 ? [`columns > ${j}u`] : []),
  ];
  const guarded = inside.length === 0
    ? store
    : `if (${inside.join(" && ")}) { ${store} }`;
  return `let ${name} = ${value}; ${guarded}`;
}

/** y from M [A * A, G, T, OCG] (+ bias, ReLU). */
function transformOutput(
  m: GPUBuffer,
  bias: GPUBuffer | undefined,
  y: GPUBuffer,
  g: Geometry,
  post: GemmEpilogue,
): void {
  const [tiles, tw, t] = tilesOf(g);
  const count = g.batch * g.outChannels * tiles;
  const hasBias = bias !== undefined;
  const relu = post.relu === true;
  const bindings = hasBias
    ? [
      "@group(0) @binding(1) var<storage, read> bias: array<f32>;",
      "@group(0) @binding(2) var<storage, read_write> y: array<f32>;",
    ]
    : ["@group(0) @binding(1) var<storage, read_write> y: array<f32>;"];
  const f = transformsFor(g);
  dispatch({
    label: "winograd output",
    pipeline: pipeline(
      `winograd|output|${hasBias}|${relu}|${f.tile}|${f.taps}`,
      () =>
        fillTemplate(shaderSource("winograd_output"), {
          ...tileValues(f),
          BINDINGS: bindings.join("\n"),
          PARAMS_BINDING: bindings.length + 1,
          TRANSFORM: loadCode(
            f.alpha,
            (i, j) => `m[first + ${i * f.alpha + j}u * stride]`,
            "m",
          ) + "\n" + transformCode(
            f.output,
            (i, j) => `m_${i}_${j}`,
            (i, j, value) => outputStore(i, j, value, hasBias, relu),
            "am",
          ),
        }),
    ),
    buffers: hasBias ? [m, bias, y] : [m, y],
    uniforms: new Uint32Array([
      count,
      tiles,
      tw,
      t,
      g.outChannels,
      g.outHeight,
      g.outWidth,
      g.outChannels / g.groups,
    ]),
    workgroups: workgroups(count),
  });
}

/**
 * Winograd's transformed input patches of a forward (V, from
 * {@link transformInput}), which the weight gradient of the same x and
 * layer reads as they are: it cuts x into the same windows and transforms
 * them with the same B^T (F(KxK, TxT) is F(TxT, KxK) transposed). Reusing
 * them saves the weight gradient its own input transform, 2.5-3% of the
 * course AlexNet's step on lavapipe (docs/performance.md, session 11).
 */
export interface InputPatches {
  /** V [A * A, G, T, CG], owned by whoever asked for it. */
  readonly buffer: GPUBuffer;
  /** The output tile's side T they were made for. */
  readonly tile: WinogradTile;
}

/**
 * Where a forward that runs Winograd leaves its {@link InputPatches}
 * (unreleased, for the caller to own), and where a weight gradient that
 * runs Winograd with the same tile finds them.
 */
export interface PatchSlot {
  patches?: InputPatches;
}

/**
 * Records the forward product (`input`: x, bias and the epilogue apply) or
 * the input gradient (`input`: gy; no bias) of a stride-1 3x3 or 5x5 layer
 * into `out` by Winograd F(TxT, KxK), the matmul run with `gemm`. Needs
 * {@link winogradFits}.
 *
 * @param product forward or input
 * @param input x (forward) or gy (input gradient), NCHW
 * @param w the layer's weights [OC, C/groups, K, K]
 * @param bias forward only: [OC] or undefined
 * @param out y or gx
 * @param s the layer's sizes
 * @param gemm the matmul configuration (either family; no `method`)
 * @param tile the output tile's side T
 * @param post forward only: the fused epilogue
 * @param slot forward only: where to leave the input patches instead of
 *   releasing them
 */
export function winogradConv(
  product: "forward" | "input",
  input: GPUBuffer,
  w: GPUBuffer,
  bias: GPUBuffer | undefined,
  out: GPUBuffer,
  s: Conv2dShape,
  gemm: GemmTiling,
  tile: WinogradTile,
  post: GemmEpilogue = {},
  slot?: PatchSlot,
): void {
  const g = product === "forward"
    ? forwardGeometry(s, tile)
    : inputGeometry(s, tile);
  const t = tilesOf(g)[2];
  const elements = elementsOf(g);
  const u = transformWeights(w, s, product === "input", g);
  const v = transformInput(input, g);
  const m = allocate(elements * g.outChannels * t * 4, "winograd products");
  matmulWith(gemm, v, u, undefined, m, {
    batch: elements * g.groups,
    m: t,
    n: g.outChannels / g.groups,
    k: g.inChannels / g.groups,
    transA: false,
    transB: false,
    batchA: elements * g.groups,
    batchB: elements * g.groups,
  }, {});
  transformOutput(m, bias, out, g, post);
  // safe right after recording: the commands of one encoder run in order
  [u, m].forEach(release);
  if (slot && product === "forward") slot.patches = { buffer: v, tile };
  else release(v);
}
