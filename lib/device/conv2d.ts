/**
 * Dispatcher of `shaders/conv2d.wgsl`: conv2d forward and its two gradients
 * as implicit GEMMs over the register block of matmul.ts, gathering the
 * operands from the NCHW tensors inside the kernel (no im2col in memory).
 *
 * @module
 */
import { allocate } from "./buffer_pool.ts";
import {
  type Binding,
  dispatchTiled,
  fetchFunction,
  matmulA,
  operandBinding,
  type OperandMode,
  registerBlock,
  type TileOperand,
} from "./matmul.ts";
import { fillTemplate, pipeline, shaderSource } from "./pipeline_cache.ts";
import { type GemmTiling, tuning } from "./tuning.ts";

/** Sizes of a conv2d layer; `outHeight`/`outWidth` follow from the rest. */
export interface Conv2dShape {
  batch: number;
  inChannels: number;
  inHeight: number;
  inWidth: number;
  outChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  strideHeight: number;
  strideWidth: number;
  padHeight: number;
  padWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  groups: number;
  outHeight: number;
  outWidth: number;
}

/** The three GEMMs of a conv layer. */
type ConvProduct = "forward" | "backwardInput" | "backwardWeight";

/** Per product: its GEMM sizes per group and its result's size. */
function gemmSizes(product: ConvProduct, s: Conv2dShape) {
  const cg = s.inChannels / s.groups;
  const ocg = s.outChannels / s.groups;
  const khw = s.kernelHeight * s.kernelWidth;
  const ohw = s.outHeight * s.outWidth;
  const hw = s.inHeight * s.inWidth;
  switch (product) {
    case "forward":
      return {
        m: ocg,
        n: s.batch * ohw,
        k: cg * khw,
        out: s.batch * s.outChannels * ohw,
      };
    case "backwardInput":
      return {
        m: cg,
        n: s.batch * hw,
        k: ocg * khw,
        out: s.batch * s.inChannels * hw,
      };
    case "backwardWeight":
      return {
        m: ocg,
        n: cg * khw,
        k: s.batch * ohw,
        out: s.outChannels * cg * khw,
      };
    default:
      return product satisfies never;
  }
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

/** A column operand gathered element by element: `element(t, kk)` is B(k + kk, column t). */
function gatheredCols(
  tile: GemmTiling,
  ks: number,
  setupColumn: (t: number) => string[],
  perStep: (kk: number) => string[],
  element: (t: number, kk: number) => string,
): TileOperand {
  const setup: string[] = [];
  for (let t = 0; t < tile.cols; t++) {
    setup.push(`let bc_${t} = min(col0 + ${t}u, N - 1u);`, ...setupColumn(t));
  }
  const load: string[] = [];
  for (let kk = 0; kk < ks; kk++) {
    load.push(...perStep(kk));
    for (let t = 0; t < tile.cols; t++) {
      load.push(`let b_${kk}_${t} = ${element(t, kk)};`);
    }
  }
  return {
    setup,
    load,
    value: (j, kk) =>
      `vec4<f32>(${
        [0, 1, 2, 3].map((q) => `b_${kk}_${4 * j + q}`).join(", ")
      })`,
  };
}

/** x at (ih, iw) of the plane starting at `base`, zero in the padding. */
const X_AT = `fn x_at(base: u32, ih: i32, iw: i32) -> f32 {
  let h = i32(params.h);
  let w = i32(params.w);
  let inside = ih >= 0 && ih < h && iw >= 0 && iw < w;
  let v = b[base + u32(clamp(ih, 0, h - 1)) * params.w + u32(clamp(iw, 0, w - 1))];
  return select(0.0, v, inside);
}`;

/** gy at output position (ty / sh, tx / sw) of the plane at `base` when that is exact, else zero. */
const GY_AT = `fn gy_at(base: u32, ty: i32, tx: i32) -> f32 {
  let oy = ty / params.sh;
  let ox = tx / params.sw;
  let inside = ty >= 0 && tx >= 0 && ty == oy * params.sh && tx == ox * params.sw &&
    oy < i32(params.oh) && ox < i32(params.ow);
  let v = b[base + u32(clamp(oy, 0, i32(params.oh) - 1)) * params.ow +
    u32(clamp(ox, 0, i32(params.ow) - 1))];
  return select(0.0, v, inside);
}`;

/** The k-step decode (c, kh, kw) of k + kk shared by the gathers over x. */
function kernelStep(kk: number): string[] {
  return [
    `let q_${kk} = k + ${kk}u;`,
    `let qc_${kk} = q_${kk} / KHW;`,
    `let qr_${kk} = q_${kk} % KHW;`,
    `let qh_${kk} = i32(qr_${kk} / params.kw) * params.dh;`,
    `let qw_${kk} = i32(qr_${kk} % params.kw) * params.dw;`,
  ];
}

/** The operands, helper functions and output index of one product. */
function productCode(
  product: ConvProduct,
  tile: GemmTiling,
  ks: number,
  aMode: OperandMode,
) {
  switch (product) {
    case "forward": {
      // A = w [OC, Cg*KH*KW] per group; B(k, n) = x gathered
      const a = matmulA(false, aMode, tile, ks);
      const b = gatheredCols(
        tile,
        ks,
        (t) => [
          `let bo_${t} = bc_${t} % OHW;`,
          `let bx_${t} = (bc_${t} / OHW * params.c + g * params.cg) * HW;`,
          `let bh_${t} = i32(bo_${t} / params.ow) * params.sh - params.ph;`,
          `let bw_${t} = i32(bo_${t} % params.ow) * params.sw - params.pw;`,
        ],
        kernelStep,
        (t, kk) =>
          `x_at(bx_${t} + qc_${kk} * HW, bh_${t} + qh_${kk}, bw_${t} + qw_${kk})`,
      );
      const out = `fn out_index(g: u32, row: u32, col: u32) -> u32 {
  let n = col / (params.oh * params.ow);
  let p = col % (params.oh * params.ow);
  return ((n * params.oc + g * params.ocg + row) * params.oh * params.ow) + p;
}`;
      const fetch = aMode === "scalar"
        ? []
        : [fetchFunction("a", aMode === "texture")];
      return { a, b, helpers: [...fetch, X_AT, out] };
    }
    case "backwardInput": {
      // A(c, (o, kh, kw)) = w[g*OCg + o, c, kh, kw]; B((o, kh, kw), (n, ih, iw)) = gy where exact
      const a = gatheredRows(tile, ks, (kk) => [
        `let q_${kk} = k + ${kk}u;`,
        `let qo_${kk} = q_${kk} / KHW;`,
        `let qr_${kk} = q_${kk} % KHW;`,
        `let qa_${kk} = (g * params.ocg + qo_${kk}) * params.cg * KHW + qr_${kk};`,
        `let qh_${kk} = i32(qr_${kk} / params.kw) * params.dh;`,
        `let qw_${kk} = i32(qr_${kk} % params.kw) * params.dw;`,
      ], (i, kk) => `qa_${kk} + ar_${i} * KHW`);
      const b = gatheredCols(
        tile,
        ks,
        (t) => [
          `let bp_${t} = bc_${t} % HW;`,
          `let by_${t} = i32(bp_${t} / W) + params.ph;`,
          `let bx_${t} = i32(bp_${t} % W) + params.pw;`,
          `let bb_${t} = (bc_${t} / HW * params.oc + g * params.ocg) * OHW;`,
        ],
        () => [],
        (t, kk) =>
          `gy_at(bb_${t} + qo_${kk} * OHW, by_${t} - qh_${kk}, bx_${t} - qw_${kk})`,
      );
      const out = `fn out_index(g: u32, row: u32, col: u32) -> u32 {
  let hw = params.h * params.w;
  return ((col / hw * params.c + g * params.cg + row) * hw) + col % hw;
}`;
      return { a, b, helpers: [GY_AT, out] };
    }
    case "backwardWeight": {
      // A(o, (n, oh, ow)) = gy; B((n, oh, ow), (c, kh, kw)) = x gathered
      const a = gatheredRows(tile, ks, (kk) => [
        `let q_${kk} = k + ${kk}u;`,
        `let qn_${kk} = q_${kk} / OHW;`,
        `let qp_${kk} = q_${kk} % OHW;`,
        `let qa_${kk} = (qn_${kk} * params.oc + g * params.ocg) * OHW + qp_${kk};`,
        `let qy_${kk} = i32(qp_${kk} / params.ow) * params.sh;`,
        `let qx_${kk} = i32(qp_${kk} % params.ow) * params.sw;`,
        `let qb_${kk} = qn_${kk} * params.c * HW;`,
      ], (i, kk) => `qa_${kk} + ar_${i} * OHW`);
      const b = gatheredCols(
        tile,
        ks,
        (t) => [
          `let br_${t} = bc_${t} % KHW;`,
          `let bh_${t} = i32(br_${t} / params.kw) * params.dh - params.ph;`,
          `let bw_${t} = i32(br_${t} % params.kw) * params.dw - params.pw;`,
          `let bo_${t} = (g * params.cg + bc_${t} / KHW) * HW;`,
        ],
        () => [],
        (t, kk) =>
          `x_at(bo_${t} + qb_${kk}, bh_${t} + qy_${kk}, bw_${t} + qx_${kk})`,
      );
      const out = `fn out_index(g: u32, row: u32, col: u32) -> u32 {
  return (g * params.ocg + row) * params.n + col;
}`;
      return { a, b, helpers: [X_AT, out] };
    }
    default:
      return product satisfies never;
  }
}

function convShader(
  product: ConvProduct,
  tile: GemmTiling,
  ks: number,
  aMode: OperandMode,
  hasBias: boolean,
): string {
  const { a, b, helpers } = productCode(product, tile, ks, aMode);
  const code = registerBlock(tile, ks, a, b, (i, j, value) => {
    const lines = [`if (row0 + ${i}u < M) {`];
    for (let q = 0; q < 4; q++) {
      const col = `col0 + ${4 * j + q}u`;
      const bias = hasBias ? ` + bias[g * params.ocg + row0 + ${i}u]` : "";
      lines.push(
        `  if (${col} < N) { out[out_index(g, row0 + ${i}u, ${col})] = ${value}.${
          "xyzw"[q]
        }${bias}; }`,
      );
    }
    lines.push("}");
    return lines;
  });
  const bindings = [
    operandBinding("a", 0, aMode),
    operandBinding("b", 1, "scalar"),
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
    PARAMS_SPACE: "uniform",
    FETCH: helpers.join("\n"),
    WG_X: tile.groupX,
    WG_Y: tile.groupY,
    TM: tile.rows,
    TN: tile.cols,
    KS: ks,
    ...code,
  });
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

function run(
  product: ConvProduct,
  a: GPUBuffer,
  b: GPUBuffer,
  bias: GPUBuffer | undefined,
  s: Conv2dShape,
): GPUBuffer {
  checkConvShape(s);
  const sizes = gemmSizes(product, s);
  const out = allocate(sizes.out * 4, `conv2d ${product}`);
  if (sizes.out === 0) return out;
  const tile = sizes.m <= 16 ? tuning.matmulThin : tuning.matmul;
  const ks = product === "forward" && sizes.k % 4 === 0 ? 4 : 1;
  const aMode: OperandMode = product === "forward" && ks === 4
    ? "vec4"
    : "scalar";
  const key =
    `conv2d|${product}|${tile.rows}x${tile.cols}/${tile.groupX}x${tile.groupY}|${ks}|` +
    `${aMode}|${bias !== undefined}`;
  const compiled = pipeline(
    key,
    () => convShader(product, tile, ks, aMode, bias !== undefined),
  );
  const cg = s.inChannels / s.groups;
  const ocg = s.outChannels / s.groups;
  const khw = s.kernelHeight * s.kernelWidth;
  const ohw = s.outHeight * s.outWidth;
  const hw = s.inHeight * s.inWidth;
  const aGroupStride = product === "backwardWeight"
    ? ocg * ohw
    : ocg * cg * khw;
  const params = new Uint32Array(24);
  const i32 = new Int32Array(params.buffer);
  params.set([
    s.batch,
    s.inChannels,
    s.inHeight,
    s.inWidth,
    s.outChannels,
    s.kernelHeight,
    s.kernelWidth,
    s.outHeight,
    s.outWidth,
  ]);
  i32.set([
    s.strideHeight,
    s.strideWidth,
    s.padHeight,
    s.padWidth,
    s.dilationHeight,
    s.dilationWidth,
  ], 9);
  params.set([cg, ocg, sizes.m, sizes.n, sizes.k, aGroupStride, 0], 15);
  void hw;
  const bindings: Binding[] = [{ kind: "buffer", buffer: a }, {
    kind: "buffer",
    buffer: b,
  }];
  if (bias) bindings.push({ kind: "buffer", buffer: bias });
  bindings.push({ kind: "buffer", buffer: out });
  dispatchTiled(`conv2d ${product}`, compiled, bindings, params, [
    Math.ceil(sizes.n / (tile.cols * tile.groupX)),
    Math.ceil(sizes.m / (tile.rows * tile.groupY)),
    s.groups,
  ]);
  return out;
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
  return run("forward", w, x, bias, s);
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
  return run("backwardInput", w, gy, undefined, s);
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
  return run("backwardWeight", gy, x, undefined, s);
}
