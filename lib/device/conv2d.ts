/**
 * Dispatcher of `shaders/conv2d.wgsl`: conv2d forward and its two gradients
 * as implicit GEMMs over the register block of matmul.ts, gathering the
 * input from the NCHW tensors inside the kernel (no im2col in memory).
 *
 * Forward runs the DIRECT kernel on weights packed k-major (a small gather
 * per call). Backward-input is the same kernel run on gy: for stride 1 a
 * forward convolution with the kernel flipped and its channels swapped; for
 * stride s, one such convolution per stride phase (the input pixels whose
 * (y + pad) mod s agree see the same taps), so no tap is wasted on
 * positions the stride skips. Backward-weight is the GEMM kernel.
 *
 * @module
 */
import { allocate, release } from "./buffer_pool.ts";
import { gather, type StridedAxis } from "./copy.ts";
import {
  type Binding,
  dispatchTiled,
  fetchFunction,
  fitsTexture,
  operandBinding,
  type OperandMode,
  registerBlock,
  returnTexture,
  stageInTexture,
  type TileOperand,
} from "./matmul.ts";
import { fillTemplate, pipeline, shaderSource } from "./pipeline_cache.ts";
import { type GemmTiling, tuning } from "./tuning.ts";

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

/** One DIRECT dispatch: a convolution of `input`, stored at a placement of `out`. */
interface Direct {
  batch: number;
  /** Channels of the input tensor, per group `cg` of them are reduced. */
  channels: number;
  height: number;
  width: number;
  groups: number;
  cg: number;
  /** Output channels per group (the GEMM rows). */
  ocg: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  /** The output grid this dispatch computes. */
  oh: number;
  ow: number;
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
): TileOperand {
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

function directShader(
  tile: GemmTiling,
  pixelRows: number,
  channels: number,
  shift: number,
  d: Pick<Direct, "kw" | "sw" | "dw">,
  aMode: OperandMode,
  bTexture: boolean,
  hasBias: boolean,
): string {
  const a = packedWeights(tile, aMode, channels, d.kw);
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
      for (let q = 0; q < 4; q++) {
        const x = `ox0 + ${t + q}u`;
        const bias = hasBias ? ` + bias[g * p.ocg + row0 + ${i}u]` : "";
        lines.push(
          `  if (${x} < p.ow) { out[o + (${x}) * p.out_sx] = ${value}.${
            "xyzw"[q]
          }${bias}; }`,
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
    hasBias,
    [
      ...(aMode === "scalar" ? [] : [fetchFunction("a", aMode === "texture")]),
      fetchFunction("b", bTexture),
    ],
    setup + "\n" + code.SETUP,
    code.ACCUMULATORS,
    loop,
    code.STORE,
  );
}

function fillConv(
  tile: GemmTiling,
  aMode: OperandMode,
  bMode: OperandMode,
  hasBias: boolean,
  helpers: string[],
  setup: string,
  accumulators: string,
  loop: string,
  store: string,
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
    TM: tile.rows,
    SETUP: setup,
    ACCUMULATORS: accumulators,
    LOOP: loop,
    STORE: store,
  });
}

/** The Params struct of conv2d.wgsl, in field order. */
function convParams(p: {
  batch: number;
  c: number;
  h: number;
  w: number;
  oc: number;
  oh: number;
  ow: number;
  cg: number;
  ocg: number;
  kh: number;
  kw: number;
  tilesW: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
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
}): Uint32Array {
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
  ];
  const params = new Uint32Array(32);
  new Int32Array(params.buffer).set(values); // the i32 fields may be negative
  return params;
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

/** Records one DIRECT dispatch. */
/** How one DIRECT dispatch is tiled, and the input rows and columns it reads. */
interface DirectPlan {
  tile: GemmTiling;
  pixelRows: number;
  channels: number;
  tilesW: number;
  tilesH: number;
  /** Input rows and columns the tiles read, from the window origin of output (0, 0). */
  rowsRead: number;
  colsRead: number;
}

function planDirect(d: Direct): DirectPlan {
  const base = d.ocg >= 32 ? tuning.conv : tuning.convThin;
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
function direct(
  input: StagedInput,
  packed: GPUBuffer,
  bias: GPUBuffer | undefined,
  out: GPUBuffer,
  d: Direct,
  plan: DirectPlan,
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
  const key =
    `conv2d|direct|${tile.rows}x${tile.cols}/${tile.groupX}x${tile.groupY}|` +
    `${pixelRows}|${channels}|${shift}|kw${d.kw}|sw${d.sw}|dw${d.dw}|${aMode}|${bTexture}|${
      bias !== undefined
    }`;
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
        bias !== undefined,
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
  });
  const a = weightsBinding(packed, kFloats, aMode);
  const bindings: Binding[] = [a, input.binding];
  if (bias) bindings.push({ kind: "buffer", buffer: bias });
  bindings.push({ kind: "buffer", buffer: out });
  dispatchTiled("conv2d", compiled, bindings, params, [
    Math.ceil(d.batch * tilesH * tilesW / tile.groupX),
    Math.ceil(m / (tile.rows * tile.groupY)),
    d.groups,
  ]);
  if (a.kind === "texture") returnTexture(a.texture);
}

/** A padded copy of a conv input: element (0, 0) of each plane is pixel (-top, -left). */
interface StagedInput {
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
function stageInput(
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
function releaseStaged(staged: StagedInput): void {
  release(staged.buffer);
  if (staged.binding.kind === "texture") returnTexture(staged.binding.texture);
}

/** An axis of a weight gather: `size` steps of `step` from `start` over a dimension of `stride`. */
function axis(
  size: number,
  stride: number,
  bound: number,
  step = 1,
  start = 0,
): StridedAxis {
  return { size, stride, step, start, bound };
}

/** All taps kh of a kernel dimension that reach pixels y = r (mod s): (r + pad - kh*dil) % s == 0. */
function phaseTaps(
  r: number,
  s: number,
  kernel: number,
  pad: number,
  dil: number,
): number[] {
  const taps: number[] = [];
  for (let k = 0; k < kernel; k++) {
    if ((((r + pad - k * dil) % s) + s) % s === 0) taps.push(k);
  }
  return taps;
}

/** One dimension of a stride phase as a forward convolution of gy: taps, step, dilation and padding. */
function phaseDim(
  r: number,
  s: number,
  kernel: number,
  pad: number,
  dil: number,
) {
  const taps = phaseTaps(r, s, kernel, pad, dil);
  if (taps.length === 0) {
    return { count: 0, first: 0, step: 1, dilation: 1, pad: 0 };
  }
  const step = taps.length > 1 ? taps[1] - taps[0] : 1;
  // tap t reads gy row base - t*delta + y' (exact); flipping t turns it into a correlation
  const base = (r + pad - taps[0] * dil) / s;
  const delta = taps.length > 1 ? (step * dil) / s : 1;
  return {
    count: taps.length,
    first: taps[0],
    step,
    dilation: delta,
    pad: delta * (taps.length - 1) - base,
  };
}

function forward(
  x: GPUBuffer,
  w: GPUBuffer,
  bias: GPUBuffer | undefined,
  s: Conv2dShape,
) {
  const cg = s.inChannels / s.groups;
  const ocg = s.outChannels / s.groups;
  const khw = s.kernelHeight * s.kernelWidth;
  const out = allocate(
    s.batch * s.outChannels * s.outHeight * s.outWidth * 4,
    "conv2d",
  );
  // w [G*OCg, Cg, KH, KW] -> packed [G, Cg, KH, KW, OCg]
  const packed = gather(w, [
    axis(s.groups, ocg * cg * khw, s.groups),
    axis(cg, khw, cg),
    axis(s.kernelHeight, s.kernelWidth, s.kernelHeight),
    axis(s.kernelWidth, 1, s.kernelWidth),
    axis(ocg, cg * khw, ocg),
  ]);
  const d: Direct = {
    batch: s.batch,
    channels: s.inChannels,
    height: s.inHeight,
    width: s.inWidth,
    groups: s.groups,
    cg,
    ocg,
    kh: s.kernelHeight,
    kw: s.kernelWidth,
    sh: s.strideHeight,
    sw: s.strideWidth,
    ph: s.padHeight,
    pw: s.padWidth,
    dh: s.dilationHeight,
    dw: s.dilationWidth,
    oh: s.outHeight,
    ow: s.outWidth,
    outChannels: s.outChannels,
    outH: s.outHeight,
    outW: s.outWidth,
    outSy: 1,
    outSx: 1,
    outY0: 0,
    outX0: 0,
  };
  const plan = planDirect(d);
  const input = stageInput(x, d, [{ top: d.ph, left: d.pw, plan }]);
  direct(input, packed, bias, out, d, plan);
  release(packed);
  releaseStaged(input);
  return out;
}

function backwardInput(gy: GPUBuffer, w: GPUBuffer, s: Conv2dShape): GPUBuffer {
  const cg = s.inChannels / s.groups;
  const ocg = s.outChannels / s.groups;
  const khw = s.kernelHeight * s.kernelWidth;
  const out = allocate(
    s.batch * s.inChannels * s.inHeight * s.inWidth * 4,
    "conv2d input gradient",
  );
  const phases = [];
  for (let ry = 0; ry < Math.min(s.strideHeight, s.inHeight); ry++) {
    for (let rx = 0; rx < Math.min(s.strideWidth, s.inWidth); rx++) {
      const py = phaseDim(
        ry,
        s.strideHeight,
        s.kernelHeight,
        s.padHeight,
        s.dilationHeight,
      );
      const px = phaseDim(
        rx,
        s.strideWidth,
        s.kernelWidth,
        s.padWidth,
        s.dilationWidth,
      );
      // a phase without taps still runs (zero taps) so that its pixels get zeros
      const d: Direct = {
        batch: s.batch,
        channels: s.outChannels,
        height: s.outHeight,
        width: s.outWidth,
        groups: s.groups,
        cg: ocg,
        ocg: cg,
        kh: px.count === 0 ? 0 : py.count,
        kw: Math.max(1, px.count),
        sh: 1,
        sw: 1,
        ph: py.pad,
        pw: px.pad,
        dh: py.dilation,
        dw: px.dilation,
        oh: Math.ceil((s.inHeight - ry) / s.strideHeight),
        ow: Math.ceil((s.inWidth - rx) / s.strideWidth),
        outChannels: s.inChannels,
        outH: s.inHeight,
        outW: s.inWidth,
        outSy: s.strideHeight,
        outSx: s.strideWidth,
        outY0: ry,
        outX0: rx,
      };
      phases.push({ d, py, px, plan: planDirect(d) });
    }
  }
  // one padded copy of gy serves every phase
  const input = stageInput(
    gy,
    phases[0].d,
    phases.map(({ d, plan }) => ({ top: d.ph, left: d.pw, plan })),
  );
  for (const { d, py, px, plan } of phases) {
    // packed [G, OCg, kh', kw', Cg] = w[g*OCg + o, c, first + step*(count-1-kh'), ...]
    const packed = gather(w, [
      axis(s.groups, ocg * cg * khw, s.groups),
      axis(ocg, cg * khw, ocg),
      axis(
        Math.max(1, d.kh),
        s.kernelWidth,
        s.kernelHeight,
        -py.step,
        py.first + py.step * (py.count - 1),
      ),
      axis(
        d.kw,
        1,
        s.kernelWidth,
        -px.step,
        px.first + px.step * (px.count - 1),
      ),
      axis(cg, khw, cg),
    ]);
    direct(input, packed, undefined, out, d, plan);
    release(packed);
  }
  releaseStaged(input);
  return out;
}

/** A row operand gathered by scalar loads: `index(i, kk)` is the float index of A(row i, k + kk). */
function gatheredRows(
  tile: GemmTiling,
  ks: number,
  perStep: (kk: number) => string[],
  index: (i: number, kk: number) => string,
): TileOperand {
  const setup: string[] = [];
  for (let i = 0; i < tile.rows; i++) {
    setup.push(`let ar_${i} = min(row0 + ${i}u, M - 1u);`);
  }
  const load: string[] = [];
  for (let kk = 0; kk < ks; kk++) {
    load.push(...perStep(kk));
    for (let i = 0; i < tile.rows; i++) {
      load.push(`let a_${i}_${kk} = a[${index(i, kk)}];`);
    }
  }
  return { setup, load, value: (i, kk) => `a_${i}_${kk}` };
}

/** x at (ih, iw) of the plane starting at `base`, zero in the padding. */
const X_AT_2D = `fn x_at2(base: u32, ih: i32, iw: i32, h: i32, w: i32) -> f32 {
  let inside = ih >= 0 && ih < h && iw >= 0 && iw < w;
  let v = b[base + u32(clamp(ih, 0, h - 1)) * u32(w) + u32(clamp(iw, 0, w - 1))];
  return select(0.0, v, inside);
}`;

function weightGradientShader(tile: GemmTiling, ks: number): string {
  // A(o, (n, oh, ow)) = gy; B((n, oh, ow), (c, kh, kw)) = x gathered
  const a = gatheredRows(tile, ks, (kk) => [
    `let q_${kk} = k + ${kk}u;`,
    `let qn_${kk} = q_${kk} / OHW;`,
    `let qp_${kk} = q_${kk} % OHW;`,
    `let qa_${kk} = (qn_${kk} * p.oc + g * p.ocg) * OHW + qp_${kk};`,
    `let qy_${kk} = i32(qp_${kk} / p.ow) * p.sh;`,
    `let qx_${kk} = i32(qp_${kk} % p.ow) * p.sw;`,
    `let qb_${kk} = qn_${kk} * p.c * HW;`,
  ], (i, kk) => `qa_${kk} + ar_${i} * OHW`);
  const setup: string[] = [`let col0 = col_tile * ${tile.cols}u;`];
  for (let t = 0; t < tile.cols; t++) {
    setup.push(
      `let bc_${t} = min(col0 + ${t}u, N - 1u);`,
      `let br_${t} = bc_${t} % KHW;`,
      `let bh_${t} = i32(br_${t} / p.kw) * p.dh - p.ph;`,
      `let bw_${t} = i32(br_${t} % p.kw) * p.dw - p.pw;`,
      `let bo_${t} = (g * p.cg + bc_${t} / KHW) * HW;`,
    );
  }
  const load: string[] = [];
  for (let kk = 0; kk < ks; kk++) {
    for (let t = 0; t < tile.cols; t++) {
      load.push(
        `let b_${kk}_${t} = x_at2(bo_${t} + qb_${kk}, bh_${t} + qy_${kk}, bw_${t} + qx_${kk}, h_i32, w_i32);`,
      );
    }
  }
  const b: TileOperand = {
    setup,
    load,
    value: (j, kk) =>
      `vec4<f32>(${
        [0, 1, 2, 3].map((q) => `b_${kk}_${4 * j + q}`).join(", ")
      })`,
  };
  const code = registerBlock(tile, ks, a, b, (i, j, value) => {
    const lines = [`if (row0 + ${i}u < M) {`];
    for (let q = 0; q < 4; q++) {
      const col = `col0 + ${4 * j + q}u`;
      lines.push(
        `  if (${col} < N) { out[(g * p.ocg + row0 + ${i}u) * N + ${col}] = ${value}.${
          "xyzw"[q]
        }; }`,
      );
    }
    lines.push("}");
    return lines;
  });
  const loop = `  for (var k = 0u; k < K; k += ${ks}u) {
${code.STEP}
  }`;
  return fillConv(
    tile,
    "scalar",
    "scalar",
    false,
    [X_AT_2D],
    code.SETUP,
    code.ACCUMULATORS,
    loop,
    code.STORE,
  );
}

function backwardWeight(
  x: GPUBuffer,
  gy: GPUBuffer,
  s: Conv2dShape,
): GPUBuffer {
  const cg = s.inChannels / s.groups;
  const ocg = s.outChannels / s.groups;
  const khw = s.kernelHeight * s.kernelWidth;
  const ohw = s.outHeight * s.outWidth;
  const out = allocate(s.outChannels * cg * khw * 4, "conv2d weight gradient");
  const tile = ocg >= 32 ? tuning.matmul : tuning.matmulThin;
  const ks = 1;
  const key =
    `conv2d|weight|${tile.rows}x${tile.cols}/${tile.groupX}x${tile.groupY}|${ks}`;
  const compiled = pipeline(key, () => weightGradientShader(tile, ks));
  const n = cg * khw;
  const params = convParams({
    batch: s.batch,
    c: s.inChannels,
    h: s.inHeight,
    w: s.inWidth,
    oc: s.outChannels,
    oh: s.outHeight,
    ow: s.outWidth,
    cg,
    ocg,
    kh: s.kernelHeight,
    kw: s.kernelWidth,
    tilesW: 0,
    sh: s.strideHeight,
    sw: s.strideWidth,
    ph: s.padHeight,
    pw: s.padWidth,
    dh: s.dilationHeight,
    dw: s.dilationWidth,
    outH: 0,
    outW: 0,
    outSy: 0,
    outSx: 0,
    outY0: 0,
    outX0: 0,
    m: ocg,
    n,
    k: s.batch * ohw,
    aGroupStride: 0,
  });
  dispatchTiled(
    "conv2d weight gradient",
    compiled,
    [
      { kind: "buffer", buffer: gy },
      { kind: "buffer", buffer: x },
      { kind: "buffer", buffer: out },
    ],
    params,
    [
      Math.ceil(n / (tile.cols * tile.groupX)),
      Math.ceil(ocg / (tile.rows * tile.groupY)),
      s.groups,
    ],
  );
  return out;
}

function checkConvShape(s: Conv2dShape): void {
  const { inChannels, outChannels, groups } = s;
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new RangeError(
      `Cannot conv2d with ${groups} groups: in channels ${inChannels} and out channels ${outChannels} must both be divisible by it`,
    );
  }
  const expected = (
    size: number,
    kernel: number,
    stride: number,
    pad: number,
    dil: number,
  ) => Math.floor((size + 2 * pad - dil * (kernel - 1) - 1) / stride) + 1;
  const oh = expected(
    s.inHeight,
    s.kernelHeight,
    s.strideHeight,
    s.padHeight,
    s.dilationHeight,
  );
  const ow = expected(
    s.inWidth,
    s.kernelWidth,
    s.strideWidth,
    s.padWidth,
    s.dilationWidth,
  );
  if (oh !== s.outHeight || ow !== s.outWidth) {
    throw new RangeError(
      `Cannot conv2d: output ${s.outHeight}x${s.outWidth} does not follow from the input and kernel, which give ${oh}x${ow}`,
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
 * y [N, OC, OH, OW] = conv(x [N, C, H, W], w [OC, C/groups, KH, KW]) + bias[OC] if given.
 *
 * @param x input, NCHW float32
 * @param w weights [OC, C/groups, KH, KW]
 * @param bias optional [OC]
 * @param s the layer's sizes (outHeight/outWidth must follow from the rest)
 * @returns a new buffer from `allocate()`
 * @throws {RangeError} when groups do not divide the channels or the output size is inconsistent
 */
export function conv2dForward(
  x: GPUBuffer,
  w: GPUBuffer,
  bias: GPUBuffer | undefined,
  s: Conv2dShape,
): GPUBuffer {
  checkConvShape(s);
  const n = sizes(s);
  if (n.y === 0) return allocate(0, "conv2d");
  return forward(x, w, bias, s);
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
  checkConvShape(s);
  const n = sizes(s);
  if (n.x === 0) return allocate(0, "conv2d input gradient");
  return backwardInput(gy, w, s);
}

/**
 * gw [OC, C/groups, KH, KW], the gradient with respect to the weights, from
 * x and gy.
 *
 * @param x input, NCHW
 * @param gy gradient of the output, NCHW
 * @param s the layer's sizes
 * @returns a new buffer from `allocate()`
 * @throws {RangeError} as {@link conv2dForward}
 */
export function conv2dBackwardWeight(
  x: GPUBuffer,
  gy: GPUBuffer,
  s: Conv2dShape,
): GPUBuffer {
  checkConvShape(s);
  const n = sizes(s);
  if (n.w === 0) return allocate(0, "conv2d weight gradient");
  return backwardWeight(x, gy, s);
}
