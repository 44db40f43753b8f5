/**
 * The DIRECT kernel of `shaders/conv2d.wgsl` (the lavapipe family of
 * conv2d forward, and of backward-input through conv2d_backward_input.ts):
 * implicit GEMM with m = output channel, n = output pixels along a row
 * (two rows where rows are short), k = (c, ky, kx), reading the input row
 * windows that all taps share from a zero-padded, vec4-aligned copy (a
 * texture on lavapipe) and the weights packed k-major.
 *
 * @module
 */
import { release } from "./buffer_pool.ts";
import type { Conv2dShape } from "./conv2d.ts";
import { axis, convParams, fillConv } from "./conv2d_template.ts";
import { type ConvGeometry, convGeometry } from "./conv2d_geometry.ts";
import { gather } from "./copy.ts";
import type { GemmEpilogue } from "./epilogue.ts";
import { pipeline } from "./pipeline_cache.ts";
import {
  LANES,
  type OperandMode,
  registerBlock,
  type TileOperand,
} from "./register_block.ts";
import {
  fetchFunction,
  fitsTexture,
  returnTexture,
  stageInTexture,
  textureAccess,
} from "./texture_staging.ts";
import { broadcastLines, sharingLanes } from "./subgroups.ts";
import { type Binding, dispatchTiled } from "./tiled_dispatch.ts";
import { type GemmTiling, tuning } from "./tuning.ts";
import { gpu } from "./webgpu.ts";

/**
 * One DIRECT dispatch: a convolution of `input`, stored at a placement of
 * `out`. The kernel sizes are the layer's ({@link ConvGeometry}); `cg` of
 * the input's `channels` are reduced per group, `ocg` output channels per
 * group are the GEMM rows, and (oh, ow) is the output grid this dispatch
 * computes.
 */
export interface Direct extends
  Pick<
    ConvGeometry,
    | "batch"
    | "cg"
    | "ocg"
    | "kh"
    | "kw"
    | "sh"
    | "sw"
    | "ph"
    | "pw"
    | "dh"
    | "dw"
    | "oh"
    | "ow"
  > {
  /** Channels of the input tensor and its plane. */
  channels: number;
  height: number;
  width: number;
  groups: number;
  /** The tensor it writes: channels and plane, and where grid pixel (y, x) goes. */
  outChannels: number;
  outH: number;
  outW: number;
  outSy: number;
  outSx: number;
  outY0: number;
  outX0: number;
}

/** Columns per invocation along an output row: little waste at the row end, wide enough to reuse the window. */
function directColumns(ow: number, widest: number): number {
  let best = 4;
  let bestScore = 0;
  for (let cols = 4; cols <= widest; cols += 4) {
    const score = ow / (Math.ceil(ow / cols) * cols) * cols / (cols + 4);
    if (score > bestScore + 1e-9) [best, bestScore] = [cols, score];
  }
  return best;
}

/** The packed weights as the row operand: kernel tap kk = (cu, kx) of the step's channels. */
function packedWeights(
  tile: GemmTiling,
  aMode: OperandMode,
  channels: number,
  kw: number,
  lanes: number,
): TileOperand {
  if (lanes > 0) return sharedWeights(tile.rows, channels, kw, lanes);
  const setup: string[] = [];
  const load: string[] = [];
  const vec = aMode !== "scalar";
  if (vec) {
    for (let r = 0; r < tile.rows / 4; r++) {
      setup.push(`let ac_${r} = a_base + min(row0 + ${4 * r}u, M - 4u);`);
    }
  } else {
    for (let i = 0; i < tile.rows; i++) {
      setup.push(`let ar_${i} = a_base + min(row0 + ${i}u, M - 1u);`);
    }
  }
  for (let cu = 0; cu < channels; cu++) {
    // a channel past the end reads the last one's weights; its x reads are zero
    load.push(
      `let k_${cu} = (min(c + ${cu}u, p.cg - 1u) * p.kh + ky) * ${kw}u;`,
    );
    for (let kx = 0; kx < kw; kx++) {
      const kk = cu * kw + kx;
      if (vec) {
        for (let r = 0; r < tile.rows / 4; r++) {
          load.push(
            `let a_${kk}_${r} = fetch_a(ac_${r} + (k_${cu} + ${kx}u) * M);`,
          );
        }
      } else {
        for (let i = 0; i < tile.rows; i++) {
          load.push(`let a_${kk}_${i} = a[ar_${i} + (k_${cu} + ${kx}u) * M];`);
        }
      }
    }
  }
  return {
    setup,
    load,
    value: vec
      ? (i, kk) => `a_${kk}_${i >> 2}.${"xyzw"[i & 3]}`
      : (i, kk) => `a_${kk}_${i}`,
  };
}

/**
 * The vec4 weight fetches of one step, tap-major (kk = (cu, kx), then rows
 * 4r..4r+3): {@link weightFetches} of them.
 */
function weightFetches(rows: number, channels: number, kw: number): number {
  return channels * kw * rows / 4;
}

/**
 * {@link packedWeights} read as vec4s, the fetches spread over the `lanes`
 * of a subgroup, which computes the same output channels: lane l makes the
 * l-th of each `lanes` fetches in a row, and broadcasts hand them to every
 * lane (subgroups.ts).
 */
function sharedWeights(
  rows: number,
  channels: number,
  kw: number,
  lanes: number,
): TileOperand {
  const groups = rows / 4;
  const setup: string[] = [];
  const load: string[] = [];
  for (let q = 0; q < weightFetches(rows, channels, kw) / lanes; q++) {
    // fetch p = q * lanes + lane: rows 4 (p % groups).., tap p / groups
    const p = `(${q * lanes}u + lane)`;
    setup.push(
      `let wr_${q} = a_base + min(row0 + 4u * (${p} % ${groups}u), M - 4u);`,
      `let wc_${q} = ${p} / ${groups}u / ${kw}u;`,
      `let wx_${q} = ${p} / ${groups}u % ${kw}u;`,
    );
    load.push(
      `let ash_${q} = fetch_a(wr_${q} + ((min(c + wc_${q}, p.cg - 1u) * p.kh + ky) * ${kw}u + wx_${q}) * M);`,
    );
  }
  load.push(...broadcastLines(
    weightFetches(rows, channels, kw),
    lanes,
    (q) => `ash_${q}`,
    (p) => `a_${Math.floor(p / groups)}_${p % groups}`,
  ));
  return {
    setup,
    load,
    value: (i, kk) => `a_${kk}_${i >> 2}.${"xyzw"[i & 3]}`,
  };
}

function directShader(
  tile: GemmTiling,
  pixelRows: number,
  channels: number,
  shift: number,
  d: Pick<Direct, "kw" | "sw" | "dw">,
  aMode: OperandMode,
  bTexture: boolean,
  lanes: number,
): string {
  const a = packedWeights(tile, aMode, channels, d.kw, lanes);
  // the register block's columns: pixelRows output rows of tile.cols pixels
  const block: GemmTiling = { ...tile, cols: tile.cols * pixelRows };
  const groups = tile.cols / 4;
  // the window starts `shift` floats into its first texel
  const span = shift + (tile.cols - 1) * d.sw + (d.kw - 1) * d.dw + 1;
  const texels = Math.ceil(span / 4);
  const load: string[] = [];
  for (let cu = 0; cu < channels; cu++) {
    // a channel past the end (odd channel counts) reads zeros
    load.push(
      `let plane_${cu} = xplane + min(c + ${cu}u, p.cg - 1u) * HW;`,
      `let in_${cu} = c + ${cu}u < p.cg;`,
    );
    for (let r = 0; r < pixelRows; r++) {
      const v = `${cu}_${r}`;
      load.push(
        `let xrow_${v} = plane_${cu} + (iy0 + ${r}u * sy + ky * dy) * W + ix0;`,
      );
      for (let t = 0; t < texels; t++) {
        load.push(
          `let x_${v}_${t} = select(vec4<f32>(0.0), fetch_b(xrow_${v} + ${
            4 * t
          }u), in_${cu});`,
        );
      }
    }
  }
  const element = (v: string, e: number) => `x_${v}_${e >> 2}.${"xyzw"[e & 3]}`;
  const window: TileOperand = {
    setup: [],
    load,
    value: (j, kk) => {
      const [cu, kx] = [Math.floor(kk / d.kw), kk % d.kw];
      const r = Math.floor(j / groups);
      const t = (j % groups) * 4;
      return `vec4<f32>(${
        [0, 1, 2, 3].map((q) =>
          element(`${cu}_${r}`, shift + (t + q) * d.sw + kx * d.dw)
        ).join(", ")
      })`;
    },
  };
  const code = registerBlock(
    block,
    channels * d.kw,
    a,
    window,
    (i, j, value) => {
      const r = Math.floor(j / groups);
      const t = (j % groups) * 4;
      const lines = [
        `if (n_ok && row0 + ${i}u < M && oy + ${r}u < p.oh) {`,
        `  let o = ((nb * p.oc + g * p.ocg + row0 + ${i}u) * p.out_h + p.out_y0 + (oy + ${r}u) * p.out_sy) * p.out_w + p.out_x0;`,
      ];
      // the epilogue is a parameter (flags bit 0: bias, bit 1: ReLU), so
      // that forward and backward-input share pipelines: on lavapipe each
      // compile of this kernel takes seconds
      lines.push(
        `  let bias_${i} = select(0.0, bias[min(g * p.ocg + row0 + ${i}u, arrayLength(&bias) - 1u)], (p.flags & 1u) != 0u);`,
      );
      for (let q = 0; q < 4; q++) {
        const x = `ox0 + ${t + q}u`;
        lines.push(
          `  if (${x} < p.ow) { let v = ${value}.${
            LANES[q]
          } + bias_${i}; out[o + (${x}) * p.out_sx] = select(v, max(v, 0.0), (p.flags & 2u) != 0u); }`,
        );
      }
      lines.push("}");
      return lines;
    },
  );
  const setup = [
    "let tw = col_tile % p.tiles_w;",
    "let r = col_tile / p.tiles_w;",
    `let tiles_h = (p.oh + ${pixelRows - 1}u) / ${pixelRows}u;`,
    "let n_ok = r < p.batch * tiles_h;",
    "let rr = min(r, p.batch * tiles_h - 1u);",
    `let oy = rr % tiles_h * ${pixelRows}u;`,
    "let nb = rr / tiles_h;",
    `let ox0 = tw * ${tile.cols}u;`,
    // the input is padded and aligned (see direct()): no edge checks
    "let sy = u32(p.sh);",
    "let dy = u32(p.dh);",
    // (ph, pw) hold where this dispatch's window origin sits in the copy
    "let iy0 = oy * sy + u32(p.ph);",
    "let ix0 = ox0 * u32(p.sw) + u32(p.pw);",
    "let xplane = (nb * p.c + g * p.cg) * HW;",
  ].map((line) => `  ${line}`).join("\n");
  const loop = `  for (var c = 0u; c < p.cg; c += ${channels}u) {
    for (var ky = 0u; ky < p.kh; ky++) {
${code.STEP}
    }
  }`;
  return fillConv(
    tile,
    aMode,
    bTexture ? "texture" : "vec4",
    true,
    [
      ...(aMode === "scalar" ? [] : [fetchFunction("a", aMode === "texture")]),
      fetchFunction("b", bTexture),
    ],
    setup + "\n" + code.SETUP,
    code.ACCUMULATORS,
    loop,
    code.STORE,
    lanes,
  );
}

/** Reads `packed` ([G, Cg, KH, KW, OCg], k-major weights) as A, a texture where the tuning says so. */
function weightsBinding(
  packed: GPUBuffer,
  floats: number,
  mode: OperandMode,
): Binding {
  return mode === "texture"
    ? { kind: "texture", texture: stageInTexture(packed, floats) }
    : { kind: "buffer", buffer: packed };
}

/** How one DIRECT dispatch is tiled, and the input rows and columns it reads. */
export interface DirectPlan {
  tile: GemmTiling;
  pixelRows: number;
  channels: number;
  tilesW: number;
  tilesH: number;
  /** Input rows and columns the tiles read, from the window origin of output (0, 0). */
  rowsRead: number;
  colsRead: number;
}

/**
 * Tiles one DIRECT dispatch with `base`: its register block, with as many
 * columns as suit the output rows, and its rows and channels per step.
 */
export function planDirect(d: Direct, base: GemmTiling): DirectPlan {
  const tile: GemmTiling = {
    ...base,
    rows: d.ocg >= 4 ? base.rows : 1,
    cols: directColumns(d.ow, base.cols),
  };
  // several output rows per invocation where rows are short (12x12 layers)
  const pixelRows = d.ow <= (base.shortRow ?? 0) ? base.pixelRows ?? 1 : 1;
  // input channels per loop step: more k per accumulator load
  const channels = Math.min(
    d.cg,
    d.kw <= (base.narrowKernel ?? 0) ? base.channels ?? 1 : 1,
  );
  const tilesW = Math.ceil(d.ow / tile.cols);
  const tilesH = Math.ceil(d.oh / pixelRows);
  return {
    tile,
    pixelRows,
    channels,
    tilesW,
    tilesH,
    rowsRead: (tilesH * pixelRows - 1) * d.sh + (Math.max(1, d.kh) - 1) * d.dh +
      1,
    // whole texels, with up to 3 floats of shift before the first window
    colsRead: Math.ceil(
      (3 + (tilesW * tile.cols - 1) * d.sw + (d.kw - 1) * d.dw + 1) / 4,
    ) * 4,
  };
}

/**
 * Records one DIRECT dispatch reading `input`, a padded copy whose element
 * (0, 0) is input pixel (-top, -left) (see {@link StagedInputs}).
 */
export function direct(
  input: StagedInput,
  packed: GPUBuffer,
  bias: GPUBuffer | undefined,
  out: GPUBuffer,
  d: Direct,
  plan: DirectPlan,
  post: GemmEpilogue = {},
): void {
  const { tile, pixelRows, channels, tilesW, tilesH } = plan;
  const m = d.ocg;
  const vec = tuning.source === "texture" ? "texture" : "vec4";
  const kFloats = d.groups * d.cg * d.kh * d.kw * m;
  const aMode: OperandMode = m % 4 === 0 && tile.rows % 4 === 0 &&
      (vec === "vec4" || fitsTexture(kFloats))
    ? vec
    : "scalar";
  // where output (0, 0)'s window starts in the copy: rows anywhere, columns
  // on a texel plus a shift baked into the shader
  const rowOrigin = input.top - d.ph;
  const colOrigin = input.left - d.pw;
  const shift = colOrigin % 4;
  const bTexture = input.binding.kind === "texture";
  const shared = sharingLanes(tile.groupX, tile.groupY);
  const lanes = aMode !== "scalar" && shared > 0 &&
      weightFetches(tile.rows, channels, d.kw) % shared === 0
    ? shared
    : 0;
  const key =
    `conv2d|direct|${tile.rows}x${tile.cols}/${tile.groupX}x${tile.groupY}|` +
    `${pixelRows}|${channels}|${shift}|kw${d.kw}|sw${d.sw}|dw${d.dw}|${aMode}|${bTexture}|${textureAccess()}|${lanes}`;
  const compiled = pipeline(
    key,
    () =>
      directShader(
        tile,
        pixelRows,
        channels,
        shift,
        d,
        aMode,
        bTexture,
        lanes,
      ),
  );
  const params = convParams({
    batch: d.batch,
    c: d.channels,
    h: input.height,
    w: input.width,
    oc: d.outChannels,
    oh: d.oh,
    ow: d.ow,
    cg: d.cg,
    ocg: d.ocg,
    kh: d.kh,
    kw: d.kw,
    tilesW,
    sh: d.sh,
    sw: d.sw,
    ph: rowOrigin,
    pw: colOrigin - shift,
    dh: d.dh,
    dw: d.dw,
    outH: d.outH,
    outW: d.outW,
    outSy: d.outSy,
    outSx: d.outSx,
    outY0: d.outY0,
    outX0: d.outX0,
    m,
    n: d.batch * d.oh * d.ow,
    k: d.cg * d.kh * d.kw,
    aGroupStride: d.cg * d.kh * d.kw * m,
    flags: (bias ? 1 : 0) | (post.relu ? 2 : 0),
  });
  const a = weightsBinding(packed, kFloats, aMode);
  try {
    const bindings: Binding[] = [a, input.binding];
    bindings.push({ kind: "buffer", buffer: bias ?? noBias() });
    bindings.push({ kind: "buffer", buffer: out });
    dispatchTiled("conv2d", compiled, bindings, params, [
      Math.ceil(d.batch * tilesH * tilesW / tile.groupX),
      Math.ceil(m / (tile.rows * tile.groupY)),
      d.groups,
    ]);
  } finally {
    // also when the dispatch throws: a texture never handed back stays lent
    if (a.kind === "texture") returnTexture(a.texture);
  }
}

let dummyBias: GPUBuffer | undefined;

/** The bias binding of a dispatch without a bias (flags say not to read it). */
function noBias(): GPUBuffer {
  return dummyBias ??= gpu.createBuffer({
    label: "conv2d: no bias",
    size: 16,
    usage: GPUBufferUsage.STORAGE,
  });
}

/** A padded copy of a conv input: element (0, 0) of each plane is pixel (-top, -left). */
export interface StagedInput {
  binding: Binding;
  buffer: GPUBuffer;
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * Copies `input` [N, C, H, W] into [N, C, height, width] starting at pixel
 * (-top, -left), zeros outside, so that every window the DIRECT tiles read
 * lies inside and every row starts on a vec4 (width is a multiple of 4):
 * the kernel fetches whole texels with no edge checks. `top` and `left`
 * are the largest padding of the dispatches that read it (the stride phases
 * of backward-input pad differently), `reads` their windows.
 */
export function stageInput(
  input: GPUBuffer,
  d: Direct,
  reads: { top: number; left: number; plan: DirectPlan }[],
): StagedInput {
  const top = Math.max(...reads.map((r) => r.top));
  const left = Math.max(...reads.map((r) => r.left));
  const height = Math.max(...reads.map((r) => top - r.top + r.plan.rowsRead));
  const width = Math.max(
    ...reads.map((r) =>
      left - r.left - ((left - r.left) % 4) + r.plan.colsRead
    ),
  );
  const buffer = gather(input, [
    axis(d.batch, d.channels * d.height * d.width, d.batch),
    axis(d.channels, d.height * d.width, d.channels),
    axis(height, d.width, d.height, 1, -top),
    axis(width, 1, d.width, 1, -left),
  ]);
  const floats = d.batch * d.channels * height * width;
  const binding: Binding = tuning.source === "texture" && fitsTexture(floats)
    ? { kind: "texture", texture: stageInTexture(buffer, floats) }
    : { kind: "buffer", buffer };
  return { binding, buffer, top, left, height, width };
}

/** Hands a staged copy back; later users are ordered after the dispatches that read it. */
export function releaseStaged(staged: StagedInput): void {
  release(staged.buffer);
  if (staged.binding.kind === "texture") returnTexture(staged.binding.texture);
}

/**
 * Records y = conv(x, w) (+ bias) (then ReLU) into `out` with the DIRECT
 * kernel tiled by `base`.
 */
export function directForward(
  x: GPUBuffer,
  w: GPUBuffer,
  bias: GPUBuffer | undefined,
  out: GPUBuffer,
  s: Conv2dShape,
  base: GemmTiling,
  post: GemmEpilogue,
): void {
  const cg = s.inChannels / s.groups;
  const ocg = s.outChannels / s.groups;
  const khw = s.kernelHeight * s.kernelWidth;
  // w [G*OCg, Cg, KH, KW] -> packed [G, Cg, KH, KW, OCg]
  const packed = gather(w, [
    axis(s.groups, ocg * cg * khw, s.groups),
    axis(cg, khw, cg),
    axis(s.kernelHeight, s.kernelWidth, s.kernelHeight),
    axis(s.kernelWidth, 1, s.kernelWidth),
    axis(ocg, cg * khw, ocg),
  ]);
  const g = convGeometry(s);
  const d: Direct = {
    ...g,
    channels: s.inChannels,
    height: s.inHeight,
    width: s.inWidth,
    groups: s.groups,
    outChannels: s.outChannels,
    outH: s.outHeight,
    outW: s.outWidth,
    outSy: 1,
    outSx: 1,
    outY0: 0,
    outX0: 0,
  };
  const plan = planDirect(d, base);
  const input = stageInput(x, d, [{ top: d.ph, left: d.pw, plan }]);
  try {
    direct(input, packed, bias, out, d, plan, post);
  } finally {
    release(packed);
    releaseStaged(input);
  }
}
