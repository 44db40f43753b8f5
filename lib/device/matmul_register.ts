/**
 * The lavapipe family of matmul (`shaders/matmul.wgsl`): one invocation
 * accumulates a big register block over the whole K, reading operands whose
 * rows are whole vec4s with vec4 fetches, from staged textures where the
 * tuning says so. No workgroup memory: on lavapipe barriers and workgroup
 * memory are slow, and loads, not FMAs, bound the speed.
 *
 * @module
 */
import { type GemmEpilogue, tileStore, tileStoreVec4 } from "./epilogue.ts";
import type { MatmulShape } from "./matmul.ts";
import { fillTemplate, pipeline, shaderSource } from "./pipeline_cache.ts";
import {
  LANES,
  operandBinding,
  type OperandMode,
  registerBlock,
  type TileCode,
  type TileOperand,
} from "./register_block.ts";
import {
  fetchFunction,
  fitsTexture,
  returnTexture,
  stageInTexture,
  textureAccess,
} from "./texture_staging.ts";
import { broadcastLines, laneParameter, sharingLanes } from "./subgroups.ts";
import { type Binding, dispatchTiled } from "./tiled_dispatch.ts";
import type { GemmTiling, OperandSource } from "./tuning.ts";

/**
 * A [m, k] (or [k, m] when transposed) as the row operand, read at
 * `a_base` + offsets with the shader's M and K.
 */
function matmulA(
  trans: boolean,
  mode: OperandMode,
  tile: GemmTiling,
  ks: number,
  lanes: number,
): TileOperand {
  const rows = tile.rows;
  const setup: string[] = [];
  const load: string[] = [];
  if (lanes > 0) return sharedA(trans, rows, ks, lanes);
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
 * A's vec4 fetches of one k-step ({@link fetchesOfA}) spread over the
 * `lanes` of the subgroup, which computes the same rows: lane l makes the
 * l-th of each `lanes` fetches in a row, and broadcasts hand every fetch to
 * every lane (subgroups.ts).
 */
function sharedA(
  trans: boolean,
  rows: number,
  ks: number,
  lanes: number,
): TileOperand {
  const setup: string[] = [];
  const load: string[] = [];
  // fetch p: row p, or rows 4 (p % groups)..+3 at k-value p / groups
  // when transposed
  const groups = rows / 4;
  const fetches = fetchesOfA(trans, rows, ks);
  for (let q = 0; q < fetches / lanes; q++) {
    const p = `(${q * lanes}u + lane)`;
    setup.push(
      trans
        ? `let as_${q} = a_base + min(row0 + 4u * (${p} % ${groups}u), M - 4u) + (${p} / ${groups}u) * M;`
        : `let as_${q} = a_base + min(row0 + ${p}, M - 1u) * K;`,
    );
    load.push(
      `let ash_${q} = fetch_a(as_${q} + ${trans ? "k * M" : "k"});`,
    );
  }
  load.push(...broadcastLines(
    fetches,
    lanes,
    (q) => `ash_${q}`,
    (p) => trans ? `a_${Math.floor(p / groups)}_${p % groups}` : `a_${p}`,
  ));
  return {
    setup,
    load,
    value: trans
      ? (i, kk) => `a_${kk}_${i >> 2}.${LANES[i & 3]}`
      : (i, kk) => `a_${i}.${LANES[kk]}`,
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
function operandModes(
  s: Required<MatmulShape>,
  source: OperandSource,
): [OperandMode, OperandMode] {
  const vec = source === "texture" ? "texture" : "vec4";
  const aVec = s.transA ? s.m % 4 === 0 : s.k % 4 === 0;
  const bVec = s.transB ? s.k % 4 === 0 : s.n % 4 === 0;
  const aFits = fitsTexture(s.batchA * s.m * s.k) || vec === "vec4";
  const bFits = fitsTexture(s.batchB * s.k * s.n) || vec === "vec4";
  return [
    aVec ? (aFits ? vec : "vec4") : "scalar",
    bVec ? (bFits ? vec : "vec4") : "scalar",
  ];
}

/**
 * The lanes that share A's fetches (subgroups.ts), or 0: A must be read a
 * vec4 at a time, and its fetches of a k-step must split evenly over them.
 */
function sharedLanes(
  s: Required<MatmulShape>,
  tile: GemmTiling,
  mode: OperandMode,
): number {
  const lanes = sharingLanes(tile.groupX, tile.groupY);
  const fetches = fetchesOfA(s.transA, tile.rows, kStep(s));
  return mode !== "scalar" && lanes > 0 && fetches % lanes === 0 ? lanes : 0;
}

/**
 * A's vec4 fetches in one k-step of a vec4-read A: a vec4 along k per row,
 * or, transposed, a vec4 along m per 4 rows for each of the `ks` k-values.
 */
function fetchesOfA(trans: boolean, rows: number, ks: number): number {
  return trans ? ks * rows / 4 : rows;
}

/** The k-values of one step of the loop: 4 where K allows whole vec4s, else 1. */
function kStep(s: Required<MatmulShape>): number {
  return s.k % 4 === 0 ? 4 : 1;
}

/**
 * Whether C is stored a vec4 at a time: where the stores bound the product
 * (a short k: the linear layers' weight gradients, k = the batch; fc6's
 * forward and backward at batch 8 take 0.84x the time; docs/performance.md,
 * session 5) and every row starts 16-byte aligned. Over a long k the store
 * is a rounding error, and the two are within noise of each other.
 */
function vectorStores(s: Required<MatmulShape>): boolean {
  return s.k <= 64 && s.n % 4 === 0;
}

function matmulShader(
  s: Required<MatmulShape>,
  tile: GemmTiling,
  ks: number,
  modes: [OperandMode, OperandMode],
  hasBias: boolean,
  relu: boolean,
  vec4Out: boolean,
  lanes: number,
): string {
  const a = matmulA(s.transA, modes[0], tile, ks, lanes);
  const b = matmulB(s.transB, modes[1], tile, ks);
  const code = registerBlock(
    tile,
    ks,
    a,
    b,
    (vec4Out ? tileStoreVec4 : tileStore)(
      hasBias,
      relu,
      (i, col) => `out_base + (row0 + ${i}u) * N + ${col}`,
    ),
  );
  const bindings = [
    operandBinding("a", 0, modes[0]),
    operandBinding("b", 1, modes[1]),
  ];
  if (hasBias) {
    bindings.push(`@group(0) @binding(2) var<storage, read> bias: array<f32>;`);
  }
  const outBinding = bindings.length;
  bindings.push(
    `@group(0) @binding(${outBinding}) var<storage, read_write> out: array<${
      vec4Out ? "vec4<f32>" : "f32"
    }>;`,
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
  return fillMatmul(
    tile,
    bindings,
    textured,
    fetch.join("\n"),
    code,
    loop,
    lanes,
  );
}

function fillMatmul(
  tile: GemmTiling,
  bindings: string[],
  textured: boolean,
  declarations: string,
  code: TileCode,
  loop: string,
  lanes: number,
): string {
  return fillTemplate(shaderSource("matmul"), {
    LANE: laneParameter(lanes),
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
 * The register block narrowed where C's rows or columns would leave much of
 * the last blocks idle: of the heights and widths from the configured ones
 * down to half of them (multiples of 4), the pair with the fewest texel
 * fetches over all of C's padded blocks, (padded m / rows) x (padded n /
 * cols) x (rows + cols), which the kernel is bound by on lavapipe; the
 * configured block where none has fewer.
 * - Conv2's input gradient (n = 96 channels) runs 32x12 blocks instead of
 *   32x16 ones that idle a quarter of the lanes: 1.2x (docs/performance.md,
 *   session 5).
 * - The 72 tiles of a 12x12 layer at batch 8 in Winograd F(4x4, 3x3) run
 *   24-row blocks instead of 32-row ones that compute 96 rows: 1.5x
 *   (session 6).
 * - n = 4096 and m = 1352 keep 32x16.
 *
 * These were measured with the 32x16 blocks used before session 10. The
 * count ignores subgroup sharing, which only whole multiples of the lanes
 * keep (subgroups.ts), and that is measured too: on m = 36 (n = 4096,
 * k = 2048) the exact 12 rows, unshared, ran 1.2-1.4x faster than 16
 * shared rows that compute a third more (session 11).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { fitBlock } from "./matmul_register.ts";
 * const tile = { rows: 32, cols: 16, groupX: 8, groupY: 1 };
 * strictEqual(fitBlock(tile, 1352, 96).cols, 12);
 * strictEqual(fitBlock(tile, 72, 384).rows, 24);
 * strictEqual(fitBlock(tile, 1352, 4096), tile);
 * ```
 *
 * @param tile the configured block
 * @param m the rows of C
 * @param n the columns of C
 * @returns `tile`, or a copy with fewer `rows` or `cols`
 */
export function fitBlock(tile: GemmTiling, m: number, n: number): GemmTiling {
  const fetches = (rows: number, cols: number) =>
    Math.ceil(m / (rows * tile.groupY)) * tile.groupY *
    Math.ceil(n / (cols * tile.groupX)) * tile.groupX * (rows + cols);
  let [bestRows, bestCols] = [tile.rows, tile.cols];
  for (let rows = tile.rows; rows >= tile.rows / 2; rows -= 4) {
    for (let cols = tile.cols; cols >= tile.cols / 2; cols -= 4) {
      if (fetches(rows, cols) < fetches(bestRows, bestCols)) {
        [bestRows, bestCols] = [rows, cols];
      }
    }
  }
  return bestRows === tile.rows && bestCols === tile.cols
    ? tile
    : { ...tile, rows: bestRows, cols: bestCols };
}

/**
 * Records C = A @ B (+ bias) (then ReLU) with the register-block kernel,
 * its block narrowed by `fitBlock`.
 *
 * @param a A, float32 (layout per `s.transA`)
 * @param b B, float32
 * @param bias optional [n]
 * @param out C [batch, m, n], bound whole from offset 0 (vec4 stores
 *   rely on every row of C starting 16-byte aligned)
 * @param s the full shape (non-empty output)
 * @param tile the register block and workgroup
 * @param source where vec4 operands are read from
 * @param post the epilogue
 */
export function registerMatmul(
  a: GPUBuffer,
  b: GPUBuffer,
  bias: GPUBuffer | undefined,
  out: GPUBuffer,
  s: Required<MatmulShape>,
  tile: GemmTiling,
  source: OperandSource,
  post: GemmEpilogue,
): void {
  tile = fitBlock(tile, s.m, s.n);
  const ks = kStep(s);
  const modes = operandModes(s, source);
  const hasBias = bias !== undefined;
  const relu = post.relu === true;
  const vec4Out = vectorStores(s);
  const lanes = sharedLanes(s, tile, modes[0]);
  const key =
    `matmul|${tile.rows}x${tile.cols}/${tile.groupX}x${tile.groupY}|${ks}|${s.transA}|${s.transB}|${
      modes.join(",")
    }|${textureAccess()}|${hasBias}|${relu}|${vec4Out}|${lanes}`;
  const compiled = pipeline(
    key,
    () => matmulShader(s, tile, ks, modes, hasBias, relu, vec4Out, lanes),
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
  try {
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
  } finally {
    // also when the dispatch throws: a texture never handed back stays lent
    textures.forEach(returnTexture);
  }
}
