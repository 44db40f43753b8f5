/**
 * Differentiable neural-network primitives: matmul, linear, conv2d,
 * pooling, dropout. Each forward is one GPU kernel (matmul and conv2d
 * through the tiled GEMM shaders), and each backward is one or two more.
 *
 * @module
 */
import { record } from "./autograd.ts";
import { matmul as gemm, type MatmulShape } from "./device/matmul.ts";
import {
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dForward,
  type Conv2dShape,
} from "./device/conv2d.ts";
import {
  poolBackward,
  poolForward,
  type PoolKind,
  type PoolShape,
} from "./device/pool.ts";
import { elementwise } from "./device/elementwise.ts";
import { random } from "./device/random.ts";
import { Tensor } from "./tensor.ts";
import { binary, cat, expand, slice, sum } from "./functions.ts";
import { bindingLimit, copyBuffer } from "./device/recorder.ts";
import { allocate } from "./device/buffer_pool.ts";
import { broadcastShapes, numelOf, pair, showShape } from "./shape.ts";

// ---- matmul

function gemmTensor(
  a: Tensor,
  b: Tensor,
  s: MatmulShape,
  shape: number[],
  bias?: Tensor,
): Tensor {
  return Tensor.fromBuffer(gemm(a.buffer, b.buffer, s, bias?.buffer), shape);
}

/** Sums a [batch, ...] gradient over the batch when its operand was shared. */
function sumBatch(
  g: Tensor,
  batchOfOperand: number,
  shape: readonly number[],
): Tensor {
  if (batchOfOperand !== 1 || g.shape[0] === 1) {
    const r = g.reshape(shape);
    g.dispose();
    return r;
  }
  const s = sum(g, 0);
  g.dispose();
  const r = s.reshape(shape);
  s.dispose();
  return r;
}

/**
 * Matrix product with PyTorch's rules: 2-D, batched with broadcast batch
 * dims, and 1-D operands as row/column vectors (their dim dropped again).
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new TypeError(
      `Cannot matmul shapes ${showShape(a.shape)} and ${
        showShape(b.shape)
      }: both need a dim`,
    );
  }
  const a2 = a.ndim === 1 ? a.reshape([1, a.shape[0]]) : a;
  const b2 = b.ndim === 1 ? b.reshape([b.shape[0], 1]) : b;
  const [m, k] = a2.shape.slice(-2);
  const [k2, n] = b2.shape.slice(-2);
  if (k !== k2) {
    throw new TypeError(
      `Cannot matmul shapes ${showShape(a.shape)} and ${
        showShape(b.shape)
      }: inner sizes ${k} and ${k2} differ`,
    );
  }
  const batchShape = broadcastShapes(
    "matmul (batch dims of)",
    a2.shape.slice(0, -2),
    b2.shape.slice(0, -2),
  );
  const batch = numelOf(batchShape);
  // Operands whose batch dims are neither all of the batch nor absent are
  // expanded first; the GEMM takes a batch of 1 (shared) or the full batch.
  const fit = (t: Tensor, rows: number, cols: number) => {
    const own = numelOf(t.shape.slice(0, -2));
    if (own === 1 || (own === batch && t.ndim - 2 === batchShape.length)) {
      return t;
    }
    return expand(t, [...batchShape, rows, cols]);
  };
  const af = fit(a2, m, k);
  const bf = fit(b2, k, n);
  const batchA = numelOf(af.shape.slice(0, -2));
  const batchB = numelOf(bf.shape.slice(0, -2));
  let outShape = [...batchShape, m, n];
  const y = gemmTensor(af, bf, { batch, m, n, k, batchA, batchB }, outShape);
  const result = record("matmul", [af, bf], y, (g, [as, bs]) => {
    // dA = dC @ B^T, dB = A^T @ dC, per batch.
    const ga = af.requiresGrad
      ? sumBatch(
        gemmTensor(g, bs, { batch, m, n: k, k: n, transB: true, batchB }, [
          batch,
          m,
          k,
        ]),
        batchA,
        af.shape,
      )
      : null;
    let gb: Tensor | null = null;
    if (bf.requiresGrad) {
      if (batchB === 1 && batchA === batch && batch > 1) {
        // A shared B: one GEMM over the stacked rows, A [batch*m, k]^T @ dC [batch*m, n].
        gb = gemmTensor(as, g, {
          batch: 1,
          m: k,
          n,
          k: batch * m,
          transA: true,
        }, [...bf.shape]);
      } else {
        gb = sumBatch(
          gemmTensor(as, g, { batch, m: k, n, k: m, transA: true, batchA }, [
            batch,
            k,
            n,
          ]),
          batchB,
          bf.shape,
        );
      }
    }
    return [ga, gb];
  }, [af, bf]);
  if (af !== a2) af.dispose();
  if (bf !== b2) bf.dispose();
  if (a.ndim === 1) {
    outShape = outShape.filter((_, i) => i !== outShape.length - 2);
  }
  if (b.ndim === 1) outShape = outShape.slice(0, -1);
  if (outShape.join() === y.shape.join()) return result;
  return result.reshape(outShape);
}

/** `input @ weight^T + bias`, weight [out, in] as PyTorch's; input [..., in]. */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  if (weight.ndim !== 2) {
    throw new TypeError(
      `Cannot use a linear weight of shape ${
        showShape(weight.shape)
      }: need [out, in]`,
    );
  }
  const [outFeatures, inFeatures] = weight.shape;
  if (input.shape.at(-1) !== inFeatures) {
    throw new TypeError(
      `Cannot apply linear with weight ${showShape(weight.shape)} to input ${
        showShape(input.shape)
      }: ` +
        `last dim ${input.shape.at(-1)} is not in_features ${inFeatures}`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outFeatures)) {
    throw new TypeError(
      `Cannot use a linear bias of shape ${
        showShape(bias.shape)
      }: need [${outFeatures}]`,
    );
  }
  const rows = input.numel / inFeatures;
  const outShape = [...input.shape.slice(0, -1), outFeatures];
  if (weight.numel * 4 > bindingLimit) {
    return chunkedLinear(input, weight, bias, rows, outShape);
  }
  const y = gemmTensor(
    input,
    weight,
    { batch: 1, m: rows, n: outFeatures, k: inFeatures, transB: true },
    outShape,
    bias,
  );
  const inputs = bias ? [input, weight, bias] : [input, weight];
  return record("linear", inputs, y, (g, [xs, ws]) => {
    const gx = input.requiresGrad
      ? gemmTensor(
        g,
        ws,
        { batch: 1, m: rows, n: inFeatures, k: outFeatures },
        [...input.shape],
      )
      : null;
    const gw = weight.requiresGrad
      ? gemmTensor(g, xs, {
        batch: 1,
        m: outFeatures,
        n: inFeatures,
        k: rows,
        transA: true,
      }, [...weight.shape])
      : null;
    let gb: Tensor | null = null;
    if (bias?.requiresGrad) {
      const g2 = g.reshape([rows, outFeatures]);
      gb = sum(g2, 0);
      g2.dispose();
    }
    return [gx, gw, gb];
  }, [input, weight]);
}

/** Rows [start, start + count) of a row-major matrix, copied into a tensor of their own. */
function rowBlock(matrix: Tensor, start: number, count: number): Tensor {
  const width = matrix.numel / matrix.shape[0];
  const buffer = allocate(count * width * 4, "weight block");
  copyBuffer(matrix.buffer, buffer, count * width * 4, start * width * 4);
  return Tensor.fromBuffer(
    buffer,
    count === 1 && matrix.ndim === 1 ? [1] : [count, ...matrix.shape.slice(1)],
  );
}

/**
 * linear() for a weight larger than one binding (the paper's 9216 x 4096
 * layer on adapters that bind 128 MiB): the output features run in blocks
 * of weight rows, each a GEMM of its own.
 */
function chunkedLinear(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | undefined,
  rows: number,
  outShape: number[],
): Tensor {
  const [outFeatures, inFeatures] = weight.shape;
  const block = Math.max(1, Math.floor(bindingLimit / 4 / inFeatures));
  const starts = Array.from(
    { length: Math.ceil(outFeatures / block) },
    (_, i) => i * block,
  );
  const x2 = input.handle([rows, inFeatures]);
  const parts = starts.map((start) => {
    const count = Math.min(block, outFeatures - start);
    const w = rowBlock(weight, start, count);
    const b = bias ? rowBlock(bias, start, count) : undefined;
    const part = gemmTensor(
      x2,
      w,
      { batch: 1, m: rows, n: count, k: inFeatures, transB: true },
      [rows, count],
      b,
    );
    w.dispose();
    b?.dispose();
    return part;
  });
  const joined = cat(parts, 1);
  for (const part of parts) part.dispose();
  const y = joined.handle(outShape);
  joined.dispose();
  const inputs = bias ? [input, weight, bias] : [input, weight];
  return record("linear", inputs, y, (g, [xs, ws]) => {
    const g2 = g.handle([rows, outFeatures]);
    const x = xs.handle([rows, inFeatures]);
    let gx: Tensor | null = null;
    const gw = weight.requiresGrad
      ? allocate(weight.numel * 4, "linear weight gradient")
      : undefined;
    for (const start of starts) {
      const count = Math.min(block, outFeatures - start);
      const gPart = slice(g2, [null, [start, start + count]]);
      const w = rowBlock(ws, start, count);
      if (input.requiresGrad) {
        const term = gemmTensor(gPart, w, {
          batch: 1,
          m: rows,
          n: inFeatures,
          k: count,
        }, [rows, inFeatures]);
        const next: Tensor = gx ? binary("add", gx, term) : term;
        if (gx) gx.dispose(), term.dispose();
        gx = next;
      }
      if (gw) {
        const part = gemmTensor(gPart, x, {
          batch: 1,
          m: count,
          n: inFeatures,
          k: rows,
          transA: true,
        }, [count, inFeatures]);
        copyBuffer(
          part.buffer,
          gw,
          count * inFeatures * 4,
          0,
          start * inFeatures * 4,
        );
        part.dispose();
      }
      gPart.dispose();
      w.dispose();
    }
    const gb = bias?.requiresGrad ? sum(g2, 0) : null;
    g2.dispose();
    x.dispose();
    const gxShaped = gx ? (gx as Tensor).handle([...input.shape]) : null;
    (gx as Tensor | null)?.dispose();
    return [gxShaped, gw ? Tensor.fromBuffer(gw, [...weight.shape]) : null, gb];
  }, [input, weight]);
}

// ---- conv2d

/** Options of {@link conv2d}, PyTorch's keyword arguments. */
export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number] | "valid" | "same";
  dilation?: number | [number, number];
  groups?: number;
}

/** The sizes of a conv2d, checked, with its output height and width. */
export function conv2dShape(
  input: readonly number[],
  weight: readonly number[],
  options: Conv2dOptions,
): Conv2dShape {
  const op = "conv2d";
  if (input.length !== 4) {
    throw new TypeError(
      `Cannot conv2d an input of shape ${
        showShape(input)
      }: need 4-D [N, C, H, W]`,
    );
  }
  if (weight.length !== 4) {
    throw new TypeError(
      `Cannot conv2d with a weight of shape ${
        showShape(weight)
      }: need 4-D [outC, inC/groups, kH, kW]`,
    );
  }
  const groups = options.groups ?? 1;
  const [batch, inChannels, inHeight, inWidth] = input;
  const [outChannels, perGroup, kernelHeight, kernelWidth] = weight;
  if (
    !Number.isInteger(groups) || groups < 1 || inChannels % groups !== 0 ||
    outChannels % groups !== 0
  ) {
    throw new TypeError(
      `Cannot conv2d with groups ${groups}: in channels ${inChannels} and out channels ${outChannels} must both divide by it`,
    );
  }
  if (perGroup * groups !== inChannels) {
    throw new TypeError(
      `Cannot conv2d input ${showShape(input)} with weight ${
        showShape(weight)
      }: the input has ${inChannels} channels, ` +
        `the weight expects ${
          perGroup * groups
        } (${perGroup} per group x ${groups} groups)`,
    );
  }
  const [strideHeight, strideWidth] = pair(options.stride ?? 1, "stride", op);
  const [dilationHeight, dilationWidth] = pair(
    options.dilation ?? 1,
    "dilation",
    op,
  );
  let padHeight: number, padWidth: number;
  if (options.padding === "valid") [padHeight, padWidth] = [0, 0];
  else if (options.padding === "same") {
    if (strideHeight !== 1 || strideWidth !== 1) {
      throw new TypeError(
        "Cannot conv2d with padding 'same' and stride above 1",
      );
    }
    const totalH = dilationHeight * (kernelHeight - 1);
    const totalW = dilationWidth * (kernelWidth - 1);
    if (totalH % 2 || totalW % 2) {
      throw new TypeError(
        "Cannot conv2d with padding 'same' for an even kernel extent",
      );
    }
    [padHeight, padWidth] = [totalH / 2, totalW / 2];
  } else [padHeight, padWidth] = pair(options.padding ?? 0, "padding", op);
  if (
    [strideHeight, strideWidth, dilationHeight, dilationWidth].some((v) =>
      v < 1
    ) || padHeight < 0 || padWidth < 0
  ) {
    throw new RangeError(
      `Cannot conv2d with stride, dilation below 1 or negative padding`,
    );
  }
  const outHeight = Math.floor(
    (inHeight + 2 * padHeight - dilationHeight * (kernelHeight - 1) - 1) /
      strideHeight,
  ) + 1;
  const outWidth = Math.floor(
    (inWidth + 2 * padWidth - dilationWidth * (kernelWidth - 1) - 1) /
      strideWidth,
  ) + 1;
  if (outHeight < 1 || outWidth < 1) {
    throw new TypeError(
      `Cannot conv2d input ${
        showShape(input)
      } with a ${kernelHeight}x${kernelWidth} kernel (padding ${padHeight}, ` +
        `dilation ${dilationHeight}): the output would be ${outHeight}x${outWidth}`,
    );
  }
  return {
    batch,
    inChannels,
    inHeight,
    inWidth,
    outChannels,
    kernelHeight,
    kernelWidth,
    strideHeight,
    strideWidth,
    padHeight,
    padWidth,
    dilationHeight,
    dilationWidth,
    groups,
    outHeight,
    outWidth,
  };
}

/** 2-D convolution (cross-correlation, as PyTorch's), NCHW. */
export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor,
  options: Conv2dOptions = {},
): Tensor {
  const s = conv2dShape(input.shape, weight.shape, options);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== s.outChannels)) {
    throw new TypeError(
      `Cannot conv2d with a bias of shape ${
        showShape(bias.shape)
      }: need [${s.outChannels}]`,
    );
  }
  const y = Tensor.fromBuffer(
    conv2dForward(input.buffer, weight.buffer, bias?.buffer, s),
    [s.batch, s.outChannels, s.outHeight, s.outWidth],
  );
  const inputs = bias ? [input, weight, bias] : [input, weight];
  return record("conv2d", inputs, y, (g, [xs, ws]) => [
    input.requiresGrad
      ? Tensor.fromBuffer(conv2dBackwardInput(g.buffer, ws.buffer, s), [
        ...input.shape,
      ])
      : null,
    weight.requiresGrad
      ? Tensor.fromBuffer(conv2dBackwardWeight(xs.buffer, g.buffer, s), [
        ...weight.shape,
      ])
      : null,
    bias?.requiresGrad ? sum(g, [0, 2, 3]) : null,
  ], [input, weight]);
}

// ---- pooling

/** Options of the pooling functions. */
export interface Pool2dOptions {
  /** Defaults to the kernel size. */
  stride?: number | [number, number];
  padding?: number | [number, number];
}

function pool2d(
  kind: PoolKind,
  input: Tensor,
  kernelSize: number | [number, number],
  options: Pool2dOptions,
): Tensor {
  const op = `${kind}Pool2d`;
  if (input.ndim !== 4 && input.ndim !== 3) {
    throw new TypeError(
      `Cannot ${op} an input of shape ${
        showShape(input.shape)
      }: need [N, C, H, W] or [C, H, W]`,
    );
  }
  const kernel = pair(kernelSize, "kernelSize", op);
  const stride = pair(options.stride ?? kernel, "stride", op);
  const padding = pair(options.padding ?? 0, "padding", op);
  if (padding[0] * 2 > kernel[0] || padding[1] * 2 > kernel[1]) {
    throw new RangeError(
      `Cannot ${op} with padding [${padding}]: at most half the kernel [${kernel}]`,
    );
  }
  const [height, width] = input.shape.slice(-2);
  const outHeight =
    Math.floor((height + 2 * padding[0] - kernel[0]) / stride[0]) + 1;
  const outWidth =
    Math.floor((width + 2 * padding[1] - kernel[1]) / stride[1]) + 1;
  if (outHeight < 1 || outWidth < 1) {
    throw new TypeError(
      `Cannot ${op} input ${
        showShape(input.shape)
      } with kernel [${kernel}]: the input is smaller than the window`,
    );
  }
  const planes = input.numel / (height * width);
  const s: PoolShape = {
    planes,
    height,
    width,
    outHeight,
    outWidth,
    kernel,
    stride,
    padding,
  };
  const { y, indices } = poolForward(kind, input.buffer, s);
  const outShape = [...input.shape.slice(0, -2), outHeight, outWidth];
  const index = indices ? Tensor.fromBuffer(indices, outShape) : undefined;
  const result = record(
    op,
    [input],
    Tensor.fromBuffer(y, outShape),
    (g, [is]) => [
      Tensor.fromBuffer(poolBackward(kind, g.buffer, is?.buffer, s), [
        ...input.shape,
      ]),
    ],
    index ? [index] : [],
  );
  index?.dispose();
  return result;
}

/** Max pooling (PyTorch's F.max_pool2d, floor mode). */
export function maxPool2d(
  input: Tensor,
  kernelSize: number | [number, number],
  options: Pool2dOptions = {},
): Tensor {
  return pool2d("max", input, kernelSize, options);
}

/** Average pooling (padding counted in the divisor, PyTorch's default). */
export function avgPool2d(
  input: Tensor,
  kernelSize: number | [number, number],
  options: Pool2dOptions = {},
): Tensor {
  return pool2d("avg", input, kernelSize, options);
}

// ---- dropout

/** Options of {@link dropout}. */
export interface DropoutOptions {
  /** Probability of zeroing an element (default 0.5). */
  p?: number;
  /** Only drops when true (default true); in eval it is the identity. */
  training?: boolean;
}

/** Zeroes each element with probability p and scales the rest by 1/(1-p), from the seeded generator. */
export function dropout(input: Tensor, options: DropoutOptions = {}): Tensor {
  const { p = 0.5, training = true } = options;
  if (!(p >= 0 && p <= 1)) {
    throw new RangeError(`Cannot dropout with p = ${p}: p must be in [0, 1]`);
  }
  if (!training || p === 0) return input;
  const noise = Tensor.fromBuffer(
    random("uniform", input.numel, 0, 1),
    input.shape,
  );
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const keep = "select(0.0, a * s1, b >= s0)";
  const run = (x: Tensor, u: Tensor, label: string) =>
    Tensor.fromBuffer(
      elementwise(
        keep,
        [{ buffer: x.buffer, shape: x.shape }, {
          buffer: u.buffer,
          shape: u.shape,
        }],
        x.shape,
        {
          scalars: [p, scale],
          label,
        },
      ),
      x.shape,
    );
  const y = run(input, noise, "dropout");
  const result = record(
    "dropout",
    [input],
    y,
    (g, [us]) => [run(g, us, "dropout backward")],
    [noise],
  );
  noise.dispose();
  return result;
}
