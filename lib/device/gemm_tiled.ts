/**
 * The GPU kernel family's code generator (`shaders/gemm_tiled.wgsl`): a
 * GEMM tiled through workgroup memory with a register block per
 * invocation, split-K, and a fused epilogue (bias, ReLU). matmul.ts and
 * conv2d_tiled.ts give it their operand gathers and stores; this file knows
 * nothing of either.
 *
 * @module
 */
import { fillTemplate, shaderSource } from "./pipeline_cache.ts";
import { indent, LANES, registerBlock } from "./register_block.ts";
import type { GemmTiling } from "./tuning.ts";

/** A configuration of the family: a GemmTiling whose `sharedDepth` is set. */
export type TiledConfig = Required<
  Pick<GemmTiling, "rows" | "cols" | "groupX" | "groupY" | "sharedDepth">
>;

/** What a caller of the family supplies: its gathers, stores and bindings. */
export interface TiledKernel {
  /** WGSL body of `load_a(z, row, kk) -> f32` (row < M, kk < K, clamped). */
  loadA: string;
  /** WGSL body of `load_b(z, kk, col) -> f32`. */
  loadB: string;
  /** True when A's consecutive k lie next to each other in memory (coalesced fill along k). */
  aAlongK: boolean;
  /** True when B's consecutive k lie next to each other in memory. */
  bAlongK: boolean;
  /** Lines storing vec4 `value` = accumulators of row0 + i, columns col0 + 4j.. (the callee guards bounds). */
  store: (i: number, j: number, value: string) => string[];
  /** Extra read-only f32 bindings after a and b (e.g. `bias`). */
  extra: string[];
}

/** Rows and columns of C that one workgroup of `tile` owns. */
export function blockOf(tile: TiledConfig): { bm: number; bn: number } {
  return { bm: tile.rows * tile.groupY, bn: tile.cols * tile.groupX };
}

/** A loop filling one operand's k-slice into `name` (k-major, zeros outside). */
function fill(
  name: "a_tile" | "b_tile",
  along: number,
  threads: number,
  alongK: boolean,
  load: (outer: string, kk: string) => string,
  limit: string,
): string[] {
  const [outer, kk] = alongK
    ? ["e / BK", "e % BK"]
    : [`e % ${along}u`, `e / ${along}u`];
  const base = name === "a_tile" ? "base_m" : "base_n";
  // a loop, not unrolled: lavapipe's LLVM took 5-28 s to compile the
  // unrolled fills of the bigger tiles
  return [
    `for (var e = t; e < ${along}u * BK; e += ${threads}u) {`,
    `  let o = ${outer};`,
    `  let q = ${kk};`,
    `  let inside = ${base} + o < ${limit} && k0 + q < k_end;`,
    `  let at = q * ${along}u + o;
  ${name}[at >> 2u][at & 3u] = select(0.0, ${load("o", "q")}, inside);`,
    `}`,
  ];
}

/**
 * The WGSL of one kernel of the family.
 *
 * @param tile the configuration (rows and cols multiples of 4)
 * @param kernel the caller's gathers and stores
 * @returns the shader source
 */
export function tiledGemmShader(
  tile: TiledConfig,
  kernel: TiledKernel,
): string {
  const { bm, bn } = blockOf(tile);
  const depth = tile.sharedDepth;
  const threads = tile.groupX * tile.groupY;
  const fills = [
    ...fill(
      "a_tile",
      bm,
      threads,
      kernel.aAlongK,
      (o, q) =>
        `load_a(zb, min(base_m + ${o}, M - 1u), min(k0 + ${q}, p.k - 1u))`,
      "M",
    ),
    ...fill(
      "b_tile",
      bn,
      threads,
      kernel.bAlongK,
      (o, q) =>
        `load_b(zb, min(k0 + ${q}, p.k - 1u), min(base_n + ${o}, N - 1u))`,
      "N",
    ),
  ];
  const aLoads: string[] = [];
  for (let r = 0; r < tile.rows / 4; r++) {
    aLoads.push(`let a_${r} = a_tile[q * ${bm / 4}u + (lrow >> 2u) + ${r}u];`);
  }
  const bLoads: string[] = [];
  for (let j = 0; j < tile.cols / 4; j++) {
    bLoads.push(`let b_${j} = b_tile[q * ${bn / 4}u + (lcol >> 2u) + ${j}u];`);
  }
  const code = registerBlock(
    tile,
    1,
    { setup: [], load: aLoads, value: (i) => `a_${i >> 2}.${LANES[i & 3]}` },
    { setup: [], load: bLoads, value: (j) => `b_${j}` },
    kernel.store,
  );
  const bindings = [
    `@group(0) @binding(0) var<storage, read> a: array<f32>;`,
    `@group(0) @binding(1) var<storage, read> b: array<f32>;`,
    ...kernel.extra.map((name, i) =>
      `@group(0) @binding(${i + 2}) var<storage, read> ${name}: array<f32>;`
    ),
  ];
  bindings.push(
    `@group(0) @binding(${bindings.length}) var<storage, read_write> out: array<f32>;`,
  );
  return fillTemplate(shaderSource("gemm_tiled"), {
    BINDINGS: bindings.join("\n"),
    PARAMS_BINDING: bindings.length,
    BM: bm,
    BN: bn,
    BK: depth,
    A_TILE: bm * depth / 4,
    B_TILE: bn * depth / 4,
    LOAD_A: indent(kernel.loadA.split("\n"), 2),
    LOAD_B: indent(kernel.loadB.split("\n"), 2),
    WG_X: tile.groupX,
    WG_Y: tile.groupY,
    TM: tile.rows,
    TN: tile.cols,
    ACCUMULATORS: code.ACCUMULATORS,
    FILL: indent(fills, 4),
    STEP: indent(code.STEP.split("\n").map((l) => l.trimStart()), 6),
    STORE: code.STORE,
  });
}

/** The Params struct of gemm_tiled.wgsl; fields not given are 0. */
export interface TiledParams {
  m: number;
  n: number;
  k: number;
  aStride?: number;
  bStride?: number;
  outStride?: number;
  kSplit: number;
  batch?: number;
  c?: number;
  h?: number;
  w?: number;
  oc?: number;
  oh?: number;
  ow?: number;
  cg?: number;
  ocg?: number;
  kh?: number;
  kw?: number;
  sh?: number;
  sw?: number;
  ph?: number;
  pw?: number;
  dh?: number;
  dw?: number;
  /** Splits of K, at least 1. */
  splits: number;
}

/** The fields of {@link TiledParams} in the struct's order. */
const FIELDS: (keyof TiledParams)[] = [
  "m",
  "n",
  "k",
  "aStride",
  "bStride",
  "outStride",
  "kSplit",
  "batch",
  "c",
  "h",
  "w",
  "oc",
  "oh",
  "ow",
  "cg",
  "ocg",
  "kh",
  "kw",
  "sh",
  "sw",
  "ph",
  "pw",
  "dh",
  "dw",
  "splits",
];

/**
 * Packs `p` as the kernel's uniform struct.
 *
 * @param p the parameters
 * @returns 32 words (the i32 fields may be negative)
 */
export function tiledParams(p: TiledParams): Uint32Array {
  const params = new Uint32Array(32);
  new Int32Array(params.buffer).set(FIELDS.map((f) => p[f] ?? 0));
  return params;
}
