/**
 * Dispatcher of `shaders/matmul.wgsl`: batched matmul with register-blocked
 * tiles, and the code generator of that register block, which conv2d.ts
 * reuses for its implicit GEMMs.
 *
 * Operands whose rows are whole vec4s are read with vec4 loads; on adapters
 * whose tuning says so (lavapipe) they are first copied into rgba32float
 * textures inside the command encoder, because a texel fetch there serves 8
 * lanes at once while a storage-buffer load loops over the lanes.
 *
 * @module
 */
import { allocate, release } from "./buffer_pool.ts";
import { fillTemplate, pipeline, shaderSource } from "./pipeline_cache.ts";
import { commandEncoder, dispatch, upload } from "./recorder.ts";
import { type GemmTiling, tuning } from "./tuning.ts";
import { gpu } from "./webgpu.ts";

/** Shape of a (batched) matmul C [batch, m, n] = A @ B. */
export interface MatmulShape {
  /** Matrices in the batch (C has this many). */
  batch: number;
  /** Rows of A and C. */
  m: number;
  /** Columns of B and C. */
  n: number;
  /** Columns of A, rows of B: the summed dimension (0 gives zeros, plus the bias). */
  k: number;
  /** A stored [batchA, k, m] instead of [batchA, m, k]. */
  transA?: boolean;
  /** B stored [batchB, n, k] instead of [batchB, k, n]. */
  transB?: boolean;
  /** 1 (broadcast over the batch) or `batch`; default `batch`. */
  batchA?: number;
  /** 1 (broadcast over the batch) or `batch`; default `batch`. */
  batchB?: number;
}

// ---------------------------------------------------------------------------
// Operand staging through textures

/** Texels per texture row: a power of two so the shader splits an index by shift and mask. */
const TEXTURE_SHIFT = 12;
const TEXTURE_WIDTH = 1 << TEXTURE_SHIFT;
/** WebGPU's default maxTextureDimension2D. */
const TEXTURE_MAX_HEIGHT = 8192;
const freeTextures = new Map<string, GPUTexture[]>();

/** True when `floats` floats fit one staging texture. */
export function fitsTexture(floats: number): boolean {
  return Math.ceil(floats / 4) <= TEXTURE_WIDTH * TEXTURE_MAX_HEIGHT;
}

/** Size of the staging texture for `texels` texels, rounded so that few sizes exist. */
function textureSize(texels: number): [number, number] {
  texels = Math.max(1, texels);
  // bytesPerRow must be a multiple of 256 bytes: at least 16 texels
  const width = Math.max(
    16,
    Math.min(TEXTURE_WIDTH, 2 ** Math.ceil(Math.log2(texels))),
  );
  // heights in quarter steps of a power of two: few sizes, at most 25% waste
  const rows = Math.ceil(texels / width);
  const step = Math.max(1, 2 ** Math.floor(Math.log2(rows)) / 4);
  return [width, Math.ceil(rows / step) * step];
}

/** A staging texture to hold `texels` texels; hand it back with {@link returnTexture}. */
function takeTexture(texels: number): GPUTexture {
  const [width, height] = textureSize(texels);
  const key = `${width}x${height}`;
  return freeTextures.get(key)?.pop() ?? gpu.createTexture({
    label: `staged operand ${key}`,
    size: [width, height],
    format: "rgba32float",
    usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
  });
}

/**
 * Makes a staging texture free for the next op. Safe right after recording
 * the dispatch that reads it: commands of one encoder run in order, so a
 * later copy into it waits for that dispatch.
 */
export function returnTexture(texture: GPUTexture): void {
  const key = `${texture.width}x${texture.height}`;
  let list = freeTextures.get(key);
  if (!list) freeTextures.set(key, list = []);
  list.push(texture);
}

/**
 * Destroys the cached staging textures (the next op makes new ones): call
 * it beside the buffer pool's emptyCache(); `memory()` does not count them.
 */
export function releaseStagingTextures(): void {
  for (const list of freeTextures.values()) {
    for (const texture of list) texture.destroy();
  }
  freeTextures.clear();
}

/**
 * Records copies of the first `floats` floats of `buffer` into a staging
 * rgba32float texture, laid out flat: vec4 i sits at texel (i mod width,
 * i / width), width 2^TEXTURE_SHIFT once a row is full.
 */
export function stageInTexture(buffer: GPUBuffer, floats: number): GPUTexture {
  const texels = Math.ceil(floats / 4);
  const texture = takeTexture(texels);
  const encoder = commandEncoder();
  const width = texture.width;
  const rows = Math.floor(texels / width);
  const rest = texels - rows * width;
  const bytesPerRow = width * 16;
  if (rows > 0) {
    encoder.copyBufferToTexture({ buffer, bytesPerRow }, { texture }, [
      width,
      rows,
    ]);
  }
  if (rest > 0) {
    // the last, partial row: its last texel may read up to 12 bytes past
    // the operand, which the pool's size classes (multiples of 64) hold
    encoder.copyBufferToTexture(
      { buffer, offset: rows * bytesPerRow, bytesPerRow },
      { texture, origin: [0, rows] },
      [rest, 1],
    );
  }
  return texture;
}

/** WebGPU's maxComputeWorkgroupsPerDimension (default and lavapipe). */
const MAX_WORKGROUPS = 65535;

/** One binding of a tiled kernel. */
export type Binding =
  | { kind: "buffer"; buffer: GPUBuffer }
  | { kind: "texture"; texture: GPUTexture };

/**
 * Records one dispatch whose bindings may include textures, which the
 * shared recorder does not bind: its own compute pass, and the parameters in
 * a small storage buffer (bound last) instead of the uniform arena.
 */
export function dispatchTiled(
  label: string,
  compiled: GPUComputePipeline,
  bindings: Binding[],
  params: Uint32Array,
  workgroups: [number, number, number],
): void {
  if (workgroups.some((count) => count > MAX_WORKGROUPS)) {
    throw new RangeError(
      `Cannot run ${label} on this shape: it needs [${workgroups}] workgroups, at most ${MAX_WORKGROUPS} per dimension`,
    );
  }
  if (bindings.every((b) => b.kind === "buffer")) {
    dispatch({
      label,
      pipeline: compiled,
      buffers: bindings.map((b) => (b as { buffer: GPUBuffer }).buffer),
      uniforms: params,
      workgroups,
    });
    return;
  }
  const paramBuffer = allocate(params.byteLength, `${label} params`);
  upload(paramBuffer, params);
  const entries: GPUBindGroupEntry[] = bindings.map((b, binding) => ({
    binding,
    resource: b.kind === "buffer"
      ? { buffer: b.buffer }
      : b.texture.createView(),
  }));
  entries.push({ binding: bindings.length, resource: { buffer: paramBuffer } });
  const pass = commandEncoder().beginComputePass({ label });
  pass.setPipeline(compiled);
  pass.setBindGroup(
    0,
    gpu.createBindGroup({
      label,
      layout: compiled.getBindGroupLayout(0),
      entries,
    }),
  );
  pass.dispatchWorkgroups(...workgroups);
  pass.end();
  release(paramBuffer); // later users of the buffer are ordered after this pass
}

// ---------------------------------------------------------------------------
// The register block, shared with conv2d.ts

/**
 * The WGSL of one operand of the register block. Row operands (A) give a
 * scalar per (row i, k offset kk); column operands (B) a vec4 per (kk,
 * column group j of 4).
 */
export interface TileOperand {
  /** Lines run once per invocation (clamped indices, bases). */
  setup: string[];
  /** Lines of one k-step: loads into `let` values. */
  load: string[];
  /** The WGSL expression of element (i, kk) (rows) or vec4 (kk, j) (columns). */
  value(index: number, kk: number): string;
}

/** The generated parts of the register-tiled kernel. */
export interface TileCode {
  /** Per-invocation set-up of both operands. */
  SETUP: string;
  /** The zeroed accumulators c_i_j. */
  ACCUMULATORS: string;
  /** One k-step: loads, then the unrolled FMAs. */
  STEP: string;
  /** The guarded stores of the accumulators. */
  STORE: string;
}

/**
 * Unrolled code of a TM x TN register block over a KS-deep k-step:
 * `store(i, j, value)` gives the lines that write vec4 `value`, the
 * accumulated row i and columns 4j..4j+3 (already guarded by nothing: the
 * callback checks bounds).
 */
export function registerBlock(
  tile: GemmTiling,
  ks: number,
  a: TileOperand,
  b: TileOperand,
  store: (i: number, j: number, value: string) => string[],
): TileCode {
  const groups = tile.cols / 4;
  const accumulators: string[] = [];
  const fmas: string[] = [];
  const stores: string[] = [];
  for (let i = 0; i < tile.rows; i++) {
    for (let j = 0; j < groups; j++) {
      accumulators.push(`var c_${i}_${j} = vec4<f32>(0.0);`);
      stores.push(...store(i, j, `c_${i}_${j}`));
    }
  }
  for (let i = 0; i < tile.rows; i++) {
    for (let j = 0; j < groups; j++) {
      for (let kk = 0; kk < ks; kk++) {
        fmas.push(
          `c_${i}_${j} = fma(vec4<f32>(${a.value(i, kk)}), ${
            b.value(j, kk)
          }, c_${i}_${j});`,
        );
      }
    }
  }
  const indent = (lines: string[], depth: number) =>
    lines.map((line) => " ".repeat(depth) + line).join("\n");
  return {
    SETUP: indent([...a.setup, ...b.setup], 2),
    ACCUMULATORS: indent(accumulators, 2),
    STEP: indent([...a.load, ...b.load, ...fmas], 4),
    STORE: indent(stores, 2),
  };
}

const LANES = ["x", "y", "z", "w"];

/** WGSL of `fetch_<name>(float index) -> vec4` from a texture or a vec4 array. */
export function fetchFunction(name: string, texture: boolean): string {
  return texture
    ? `fn fetch_${name}(i: u32) -> vec4<f32> {
  let t = i >> 2u;
  return textureLoad(${name}, vec2<u32>(t & ${
      TEXTURE_WIDTH - 1
    }u, t >> ${TEXTURE_SHIFT}u), 0);
}`
    : `fn fetch_${name}(i: u32) -> vec4<f32> { return ${name}[i >> 2u]; }`;
}

/** The binding declaration of operand `name` in the mode it is read. */
export function operandBinding(
  name: string,
  binding: number,
  mode: OperandMode,
): string {
  const type = mode === "texture"
    ? "texture_2d<f32>"
    : mode === "vec4"
    ? "array<vec4<f32>>"
    : "array<f32>";
  return mode === "texture"
    ? `@group(0) @binding(${binding}) var ${name}: ${type};`
    : `@group(0) @binding(${binding}) var<storage, read> ${name}: ${type};`;
}

/** How an operand is read: vec4 fetches from a texture or buffer, or scalar loads. */
export type OperandMode = "texture" | "vec4" | "scalar";

// ---------------------------------------------------------------------------
// Matmul operands

/**
 * A [m, k] (or [k, m] when transposed) as the row operand, read at
 * `a_base` + offsets with the shader's M and K.
 */
function matmulA(
  trans: boolean,
  mode: OperandMode,
  tile: GemmTiling,
  ks: number,
): TileOperand {
  const rows = tile.rows;
  const setup: string[] = [];
  const load: string[] = [];
  if (mode === "scalar") {
    for (let i = 0; i < rows; i++) {
      setup.push(`let ar_${i} = min(row0 + ${i}u, M - 1u);`);
    }
    for (let kk = 0; kk < ks; kk++) {
      for (let i = 0; i < rows; i++) {
        const index = trans
          ? `a_base + (k + ${kk}u) * M + ar_${i}`
          : `a_base + ar_${i} * K + k + ${kk}u`;
        load.push(`let a_${i}_${kk} = a[${index}];`);
      }
    }
    return { setup, load, value: (i, kk) => `a_${i}_${kk}` };
  }
  if (!trans) {
    // a vec4 along k per row: needs K % 4 == 0 (ks == 4)
    for (let i = 0; i < rows; i++) {
      setup.push(`let ar_${i} = a_base + min(row0 + ${i}u, M - 1u) * K;`);
      load.push(`let a_${i} = fetch_a(ar_${i} + k);`);
    }
    return { setup, load, value: (i, kk) => `a_${i}.${LANES[kk]}` };
  }
  // transposed: a vec4 along m per 4 rows: needs M % 4 == 0
  for (let r = 0; r < rows / 4; r++) {
    setup.push(`let ac_${r} = a_base + min(row0 + ${4 * r}u, M - 4u);`);
  }
  for (let kk = 0; kk < ks; kk++) {
    for (let r = 0; r < rows / 4; r++) {
      load.push(`let a_${kk}_${r} = fetch_a(ac_${r} + (k + ${kk}u) * M);`);
    }
  }
  return {
    setup,
    load,
    value: (i, kk) => `a_${kk}_${i >> 2}.${LANES[i & 3]}`,
  };
}

/**
 * B [k, n] (or [n, k] when transposed) as the column operand, read at
 * `b_base` + offsets with the shader's N and K.
 */
function matmulB(
  trans: boolean,
  mode: OperandMode,
  tile: GemmTiling,
  ks: number,
): TileOperand {
  const cols = tile.cols;
  const setup: string[] = [];
  const load: string[] = [];
  const gather = (name: (t: number) => string) => (j: number) =>
    `vec4<f32>(${[0, 1, 2, 3].map((q) => name(4 * j + q)).join(", ")})`;
  if (mode === "scalar") {
    for (let t = 0; t < cols; t++) {
      setup.push(`let bc_${t} = min(col0 + ${t}u, N - 1u);`);
    }
    for (let kk = 0; kk < ks; kk++) {
      for (let t = 0; t < cols; t++) {
        const index = trans
          ? `b_base + bc_${t} * K + k + ${kk}u`
          : `b_base + (k + ${kk}u) * N + bc_${t}`;
        load.push(`let b_${kk}_${t} = b[${index}];`);
      }
    }
    return {
      setup,
      load,
      value: (j, kk) => gather((t) => `b_${kk}_${t}`)(j),
    };
  }
  if (!trans) {
    // a vec4 along n: needs N % 4 == 0
    for (let j = 0; j < cols / 4; j++) {
      setup.push(`let bc_${j} = b_base + min(col0 + ${4 * j}u, N - 4u);`);
    }
    for (let kk = 0; kk < ks; kk++) {
      for (let j = 0; j < cols / 4; j++) {
        load.push(`let b_${kk}_${j} = fetch_b(bc_${j} + (k + ${kk}u) * N);`);
      }
    }
    return { setup, load, value: (j, kk) => `b_${kk}_${j}` };
  }
  // transposed: a vec4 along k per column: needs K % 4 == 0
  for (let t = 0; t < cols; t++) {
    setup.push(`let br_${t} = b_base + min(col0 + ${t}u, N - 1u) * K;`);
    load.push(`let b_${t} = fetch_b(br_${t} + k);`);
  }
  return {
    setup,
    load,
    value: (j, kk) => gather((t) => `b_${t}.${LANES[kk]}`)(j),
  };
}

/** How A and B are read, given the shape's alignment and the adapter. */
function operandModes(s: Required<MatmulShape>): [OperandMode, OperandMode] {
  const vec = tuning.source === "texture" ? "texture" : "vec4";
  const aVec = s.transA ? s.m % 4 === 0 : s.k % 4 === 0;
  const bVec = s.transB ? s.k % 4 === 0 : s.n % 4 === 0;
  const aFits = fitsTexture(s.batchA * s.m * s.k) || vec === "vec4";
  const bFits = fitsTexture(s.batchB * s.k * s.n) || vec === "vec4";
  return [
    aVec ? (aFits ? vec : "vec4") : "scalar",
    bVec ? (bFits ? vec : "vec4") : "scalar",
  ];
}

/** Writes accumulator row i, vec4 column j of a C tile (plus the bias), skipping what lies outside M x N. */
function storeRow(
  hasBias: boolean,
): (i: number, j: number, value: string) => string[] {
  return (i, j, value) => {
    const lines = [`if (row0 + ${i}u < M) {`];
    for (let q = 0; q < 4; q++) {
      const col = `col0 + ${4 * j + q}u`;
      const bias = hasBias ? ` + bias[${col}]` : "";
      lines.push(
        `  if (${col} < N) { out[out_base + (row0 + ${i}u) * N + ${col}] = ${value}.${
          LANES[q]
        }${bias}; }`,
      );
    }
    lines.push("}");
    return lines;
  };
}

function matmulShader(
  s: Required<MatmulShape>,
  tile: GemmTiling,
  ks: number,
  modes: [OperandMode, OperandMode],
  hasBias: boolean,
): string {
  const a = matmulA(s.transA, modes[0], tile, ks);
  const b = matmulB(s.transB, modes[1], tile, ks);
  const code = registerBlock(tile, ks, a, b, storeRow(hasBias));
  const bindings = [
    operandBinding("a", 0, modes[0]),
    operandBinding("b", 1, modes[1]),
  ];
  if (hasBias) {
    bindings.push(`@group(0) @binding(2) var<storage, read> bias: array<f32>;`);
  }
  const outBinding = bindings.length;
  bindings.push(
    `@group(0) @binding(${outBinding}) var<storage, read_write> out: array<f32>;`,
  );
  const textured = modes.includes("texture");
  const fetch = (["a", "b"] as const).map((name, index) =>
    modes[index] === "scalar"
      ? ""
      : fetchFunction(name, modes[index] === "texture")
  );
  const loop = `  for (var k = 0u; k < K; k += ${ks}u) {
${code.STEP}
  }`;
  return fillMatmul(tile, bindings, textured, fetch.join("\n"), code, loop);
}

function fillMatmul(
  tile: GemmTiling,
  bindings: string[],
  textured: boolean,
  declarations: string,
  code: TileCode,
  loop: string,
): string {
  return fillTemplate(shaderSource("matmul"), {
    BINDINGS: bindings.join("\n"),
    PARAMS_BINDING: bindings.length,
    PARAMS_SPACE: textured ? "storage, read" : "uniform",
    DECLARATIONS: declarations,
    WG_X: tile.groupX,
    WG_Y: tile.groupY,
    TM: tile.rows,
    TN: tile.cols,
    SETUP: code.SETUP,
    ACCUMULATORS: code.ACCUMULATORS,
    LOOP: loop,
    STORE: code.STORE,
  });
}

/**
 * The SHARED variant: per `depth`-deep k-slice, the workgroup copies its A
 * rows and B columns into workgroup memory with scalar loads (any layout,
 * zeros past the edges), then the register block reads them from there.
 * Meant for GPUs, where workgroup memory is fast and neighbours share
 * global loads; on lavapipe barriers and workgroup memory are slow.
 */
function sharedMatmulShader(
  s: Required<MatmulShape>,
  tile: GemmTiling,
  depth: number,
  hasBias: boolean,
): string {
  const bm = tile.rows * tile.groupY;
  const bn = tile.cols * tile.groupX;
  const threads = tile.groupX * tile.groupY;
  /** Lines copying a [depth, along] slice into `name`; along k when the operand's rows run along k, so neighbours read neighbouring addresses. */
  const fill = (
    name: string,
    along: number,
    alongK: boolean,
    value: (outer: string, kk: string) => string,
  ) => {
    const lines: string[] = [];
    for (let e0 = 0; e0 < along * depth; e0 += threads) {
      const e = `(t + ${e0}u)`;
      const [outer, kk] = alongK
        ? [`${e} / ${depth}u`, `${e} % ${depth}u`]
        : [`${e} % ${along}u`, `${e} / ${along}u`];
      lines.push(
        `{ let o = ${outer}; let q = ${kk}; if (q < ${depth}u && o < ${along}u) { ${name}[q * ${along}u + o] = ${
          value("o", "q")
        }; } }`,
      );
    }
    return lines;
  };
  const aValue = (o: string, q: string) => {
    const row = `base_m + ${o}`;
    const index = s.transA
      ? `a_base + (k0 + ${q}) * M + ${row}`
      : `a_base + (${row}) * K + k0 + ${q}`;
    return `select(0.0, a[min(${index}, a_last)], ${row} < M && k0 + ${q} < K)`;
  };
  const bValue = (o: string, q: string) => {
    const col = `base_n + ${o}`;
    const index = s.transB
      ? `b_base + (${col}) * K + k0 + ${q}`
      : `b_base + (k0 + ${q}) * N + ${col}`;
    return `select(0.0, b[min(${index}, b_last)], ${col} < N && k0 + ${q} < K)`;
  };
  const load = [
    ...fill("a_tile", bm, !s.transA, aValue),
    ...fill("b_tile", bn, s.transB, bValue),
  ];
  const a: TileOperand = {
    setup: [],
    load: [],
    value: (i, kk) => `a_tile[(q0 + ${kk}u) * ${bm}u + lrow + ${i}u]`,
  };
  const b: TileOperand = {
    setup: [],
    load: [],
    value: (j, kk) =>
      `vec4<f32>(${
        [0, 1, 2, 3].map((q) =>
          `b_tile[(q0 + ${kk}u) * ${bn}u + lcol + ${4 * j + q}u]`
        )
          .join(", ")
      })`,
  };
  const code = registerBlock(tile, 4, a, b, storeRow(hasBias));
  const bindings = [
    operandBinding("a", 0, "scalar"),
    operandBinding("b", 1, "scalar"),
  ];
  if (hasBias) {
    bindings.push(`@group(0) @binding(2) var<storage, read> bias: array<f32>;`);
  }
  bindings.push(
    `@group(0) @binding(${bindings.length}) var<storage, read_write> out: array<f32>;`,
  );
  const declarations = `var<workgroup> a_tile: array<f32, ${bm * depth}>;
var<workgroup> b_tile: array<f32, ${bn * depth}>;`;
  const setup = `  let t = lid.y * ${tile.groupX}u + lid.x;
  let lrow = lid.y * ${tile.rows}u;
  let lcol = lid.x * ${tile.cols}u;
  let base_m = wid.y * ${bm}u;
  let base_n = wid.x * ${bn}u;
  // clamp reads to this batch's operand (pooled buffers are longer)
  let a_last = a_base + max(M * K, 1u) - 1u;
  let b_last = b_base + max(K * N, 1u) - 1u;`;
  const loop = `  for (var k0 = 0u; k0 < K; k0 += ${depth}u) {
${load.map((line) => `    ${line}`).join("\n")}
    workgroupBarrier();
    for (var q0 = 0u; q0 < ${depth}u; q0 += 4u) {
${code.STEP}
    }
    workgroupBarrier();
  }`;
  return fillMatmul(
    tile,
    bindings,
    false,
    declarations,
    { ...code, SETUP: setup + "\n" + code.SETUP },
    loop,
  );
}

function checkShape(s: Required<MatmulShape>): void {
  for (const name of ["batch", "m", "n", "k"] as const) {
    if (!Number.isInteger(s[name]) || s[name] < 0) {
      throw new RangeError(
        `Cannot matmul: ${name} must be a non-negative integer, got ${s[name]}`,
      );
    }
  }
  for (const name of ["batchA", "batchB"] as const) {
    if (s[name] !== 1 && s[name] !== s.batch) {
      throw new RangeError(
        `Cannot matmul: ${name} must be 1 or the batch ${s.batch}, got ${
          s[name]
        }`,
      );
    }
  }
}

/** Picks the tile: a thin one when the output has few rows. */
function matmulTile(m: number): GemmTiling {
  return m <= 16 ? tuning.matmulThin : tuning.matmul;
}

/**
 * Returns a new pooled buffer holding C [batch, m, n] = A @ B, plus
 * `bias[n]` broadcast over the rows when given.
 *
 * @param a A as [batchA, m, k] (or [batchA, k, m] with `transA`), float32
 * @param b B as [batchB, k, n] (or [batchB, n, k] with `transB`), float32
 * @param shape sizes, transposition and batch broadcasting
 * @param bias optional [n] added to every row
 * @returns a buffer from `allocate()` of batch * m * n floats
 * @throws {RangeError} when a size is not a non-negative integer or a batch neither 1 nor `batch`
 */
export function matmul(
  a: GPUBuffer,
  b: GPUBuffer,
  shape: MatmulShape,
  bias?: GPUBuffer,
): GPUBuffer {
  const s: Required<MatmulShape> = {
    transA: false,
    transB: false,
    batchA: shape.batch,
    batchB: shape.batch,
    ...shape,
  };
  checkShape(s);
  const out = allocate(s.batch * s.m * s.n * 4, "matmul");
  if (s.batch * s.m * s.n === 0) return out;
  const tile = matmulTile(s.m);
  const depth = tile.sharedDepth;
  const ks = s.k % 4 === 0 ? 4 : 1;
  const modes: [OperandMode, OperandMode] = depth
    ? ["scalar", "scalar"]
    : operandModes(s);
  const hasBias = bias !== undefined;
  const tileKey = `${tile.rows}x${tile.cols}/${tile.groupX}x${tile.groupY}`;
  const key = depth
    ? `matmul|shared|${tileKey}|${depth}|${s.transA}|${s.transB}|${hasBias}`
    : `matmul|${tileKey}|${ks}|${s.transA}|${s.transB}|${
      modes.join(",")
    }|${hasBias}`;
  const compiled = pipeline(
    key,
    () =>
      depth
        ? sharedMatmulShader(s, tile, depth, hasBias)
        : matmulShader(s, tile, ks, modes, hasBias),
  );
  const params = new Uint32Array([
    s.m,
    s.n,
    s.k,
    s.batchA === 1 ? 0 : s.m * s.k,
    s.batchB === 1 ? 0 : s.k * s.n,
    s.m * s.n,
    0,
    0,
  ]);
  const textures: GPUTexture[] = [];
  const operand = (
    buffer: GPUBuffer,
    mode: OperandMode,
    floats: number,
  ): Binding => {
    if (mode !== "texture") return { kind: "buffer", buffer };
    const texture = stageInTexture(buffer, floats);
    textures.push(texture);
    return { kind: "texture", texture };
  };
  const bindings = [
    operand(a, modes[0], s.batchA * s.m * s.k),
    operand(b, modes[1], s.batchB * s.k * s.n),
  ];
  if (bias) bindings.push({ kind: "buffer", buffer: bias });
  bindings.push({ kind: "buffer", buffer: out });
  dispatchTiled("matmul", compiled, bindings, params, [
    Math.ceil(s.n / (tile.cols * tile.groupX)),
    Math.ceil(s.m / (tile.rows * tile.groupY)),
    s.batch,
  ]);
  textures.forEach(returnTexture);
  return out;
}
