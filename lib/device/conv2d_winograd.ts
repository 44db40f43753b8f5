/**
 * Winograd F(2x2, 3x3) for the stride-1 3x3 layers (conv3-5 of the course
 * AlexNet): each 2x2 block of outputs from a 4x4 input patch with 16
 * multiplications per channel pair instead of 36. A 5x5 kernel (conv2) is
 * cut into 2x2 blocks of 3x3 (zeros past its edge), each a 3x3 convolution
 * of the input moved by 3 rows or columns: 64 multiplications instead of
 * 100. Three small transforms
 * (`shaders/winograd_{input,weight,output}.wgsl`) around one batched
 * matmul on the fast matmul kernels: for each of the 16 elements xi of a
 * transformed tile, M[xi] [T, OC] = V[xi] [T, C] @ U[xi] [C, OC] (T = the
 * tiles of all samples), per group. Tiles as the GEMM's rows: T = 36 x
 * batch is a multiple of the 32-row register block for AlexNet's 12x12
 * layers at even batches, and OC of its 128 columns (no idle lanes; with
 * the channels as rows 25% of the lanes idled at batch 8).
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

const WORKGROUP = 64;

/** One stride-1 3x3 convolution as the Winograd code sees it. */
export interface Geometry {
  batch: number;
  /** Input channels of this convolution (OC for backward-input). */
  inChannels: number;
  outChannels: number;
  groups: number;
  /** Kernel size K (3 or 5). */
  kernel: number;
  inHeight: number;
  inWidth: number;
  pad: [number, number];
  outHeight: number;
  outWidth: number;
}

/** The forward product of `s` as a Winograd convolution. */
export function forwardGeometry(s: Conv2dShape): Geometry {
  return {
    batch: s.batch,
    inChannels: s.inChannels,
    outChannels: s.outChannels,
    groups: s.groups,
    kernel: s.kernelHeight,
    inHeight: s.inHeight,
    inWidth: s.inWidth,
    pad: [s.padHeight, s.padWidth],
    outHeight: s.outHeight,
    outWidth: s.outWidth,
  };
}

function inputGeometry(s: Conv2dShape): Geometry {
  return {
    batch: s.batch,
    inChannels: s.outChannels,
    outChannels: s.inChannels,
    groups: s.groups,
    kernel: s.kernelHeight,
    inHeight: s.outHeight,
    inWidth: s.outWidth,
    pad: [s.kernelHeight - 1 - s.padHeight, s.kernelWidth - 1 - s.padWidth],
    outHeight: s.inHeight,
    outWidth: s.inWidth,
  };
}

/** Blocks of 3x3 along each side of a kernel of size `k`. */
export function blocksOf(k: number): number {
  return Math.ceil(k / 3);
}

/** Tiles of 2x2 outputs: [per sample, along a row, in all]. */
export function tilesOf(g: Geometry): [number, number, number] {
  const th = Math.ceil(g.outHeight / 2);
  const tw = Math.ceil(g.outWidth / 2);
  return [th * tw, tw, g.batch * th * tw];
}

/**
 * True when `product` of `s` can run as Winograd F(2x2, 3x3): a square 3x3
 * or 5x5 kernel, stride 1 and dilation 1, padding below the kernel size
 * (backward-input pads by K - 1 - pad), and the transformed operands each
 * fit one binding.
 *
 * @param product forward or input
 * @param s the layer's sizes
 * @returns whether {@link winogradConv} can run it
 */
export function winogradFits(
  product: "forward" | "input",
  s: Conv2dShape,
): boolean {
  const k = s.kernelHeight;
  const plain = (k === 3 || k === 5) && s.kernelWidth === k &&
    s.strideHeight === 1 && s.strideWidth === 1 &&
    s.dilationHeight === 1 && s.dilationWidth === 1 &&
    s.padHeight < k && s.padWidth < k;
  if (!plain) return false;
  const g = product === "forward" ? forwardGeometry(s) : inputGeometry(s);
  const t = tilesOf(g)[2];
  const blocks = blocksOf(k) ** 2;
  const largest = 16 *
    Math.max(
      blocks * g.inChannels * t,
      g.outChannels * t,
      blocks * g.outChannels * (g.inChannels / g.groups),
    );
  return largest * 4 <= bindingLimit;
}

/** A 1-D dispatch of `count` invocations of 64. */
export function workgroups(count: number): [number, number] {
  return foldWorkgroups(Math.ceil(count / WORKGROUP));
}

/** U [16, G, Q, R]: the transformed kernels (Q the GEMM's k, R its columns). */
function transformWeights(w: GPUBuffer, s: Conv2dShape, flip: boolean) {
  const cg = s.inChannels / s.groups;
  const ocg = s.outChannels / s.groups;
  const blocks = blocksOf(s.kernelHeight);
  const [r, qc] = flip ? [cg, ocg] : [ocg, cg];
  const q = blocks * blocks * qc;
  const count = s.groups * r * q;
  const u = allocate(16 * count * 4, "winograd weights");
  dispatch({
    label: "winograd weights",
    pipeline: pipeline(
      `winograd|weight|${flip}`,
      () => fillTemplate(shaderSource("winograd_weight"), { FLIP: `${flip}` }),
    ),
    buffers: [w, u],
    uniforms: new Uint32Array([
      count,
      r,
      q,
      cg,
      s.kernelHeight,
      blocks,
      qc,
      0,
    ]),
    workgroups: workgroups(count),
  });
  return u;
}

/**
 * The transformed input patches: V [16, G, T, B * B * CG] (tiles as the
 * GEMM's rows, the forward's A), or with `kMajor` V [16, G, B * B * CG, T]
 * (tiles along k, the weight gradient's B: conv2d_winograd_weight.ts).
 */
export function transformInput(
  x: GPUBuffer,
  g: Geometry,
  kMajor = false,
): GPUBuffer {
  const [tiles, tw, t] = tilesOf(g);
  const blocks = blocksOf(g.kernel);
  const kc = blocks * blocks * g.inChannels;
  const count = t * kc;
  const v = allocate(16 * kc * t * 4, "winograd input");
  dispatch({
    label: "winograd input",
    pipeline: pipeline(
      `winograd|input|${kMajor}`,
      () =>
        fillTemplate(shaderSource("winograd_input"), { K_MAJOR: `${kMajor}` }),
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
      blocks,
      kc,
    ]),
    workgroups: workgroups(count),
  });
  return v;
}

/** The WGSL that writes the 2x2 block y00..y11 through the epilogue. */
function outputStore(hasBias: boolean, relu: boolean): string {
  const lines: string[] = [];
  const value = (name: string) =>
    epilogue(name, hasBias ? "bias[channel]" : undefined, relu);
  lines.push(`  y[base] = ${value("y00")};`);
  lines.push(`  if (right) { y[base + 1u] = ${value("y01")}; }`);
  lines.push(`  if (below) { y[base + p.ow] = ${value("y10")}; }`);
  lines.push(
    `  if (right && below) { y[base + p.ow + 1u] = ${value("y11")}; }`,
  );
  return lines.join("\n");
}

/** y from M [16, G, T, OCG] (+ bias, ReLU). */
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
  dispatch({
    label: "winograd output",
    pipeline: pipeline(
      `winograd|output|${hasBias}|${relu}`,
      () =>
        fillTemplate(shaderSource("winograd_output"), {
          BINDINGS: bindings.join("\n"),
          PARAMS_BINDING: bindings.length + 1,
          STORE: outputStore(hasBias, relu),
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
 * Records the forward product (`input`: x, bias and the epilogue apply) or
 * the input gradient (`input`: gy; no bias) of a stride-1 3x3 layer into
 * `out` by Winograd F(2x2, 3x3), the matmul run with `tile`. Needs
 * {@link winogradFits}.
 *
 * @param product forward or input
 * @param input x (forward) or gy (input gradient), NCHW
 * @param w the layer's weights [OC, C/groups, 3, 3]
 * @param bias forward only: [OC] or undefined
 * @param out y or gx
 * @param s the layer's sizes
 * @param tile the matmul configuration (either family; no `method`)
 * @param post forward only: the fused epilogue
 */
export function winogradConv(
  product: "forward" | "input",
  input: GPUBuffer,
  w: GPUBuffer,
  bias: GPUBuffer | undefined,
  out: GPUBuffer,
  s: Conv2dShape,
  tile: GemmTiling,
  post: GemmEpilogue = {},
): void {
  const g = product === "forward" ? forwardGeometry(s) : inputGeometry(s);
  const t = tilesOf(g)[2];
  const u = transformWeights(w, s, product === "input");
  const v = transformInput(input, g);
  const m = allocate(16 * g.outChannels * t * 4, "winograd products");
  matmulWith(tile, v, u, undefined, m, {
    batch: 16 * g.groups,
    m: t,
    n: g.outChannels / g.groups,
    k: blocksOf(g.kernel) ** 2 * (g.inChannels / g.groups),
    transA: false,
    transB: false,
    batchA: 16 * g.groups,
    batchB: 16 * g.groups,
  }, {});
  transformOutput(m, bias, out, g, post);
  // safe right after recording: the commands of one encoder run in order
  [u, v, m].forEach(release);
}
