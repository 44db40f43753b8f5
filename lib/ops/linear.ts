/**
 * Matrix products: matmul with PyTorch's broadcasting rules, and linear
 * (`x @ W^T + b`), which splits a weight larger than one binding into row
 * blocks. Forward and backward are GEMMs of the tiled matmul kernel.
 *
 * @module
 */
import { record } from "../core/autograd.ts";
import { matmul as gemm, type MatmulShape } from "../device/matmul.ts";
import type { GemmEpilogue } from "../device/epilogue.ts";
import { bindingLimit, checkBindable, copyBuffer } from "../device/recorder.ts";
import { allocate } from "../device/buffer_pool.ts";
import { Tensor } from "../tensor.ts";
import { broadcastShapes, numelOf, showShape } from "../core/shape.ts";
import { binary, unary, unaryBackward } from "./elementwise.ts";
import { sum } from "./sum.ts";
import { cat, expand, slice } from "./layout.ts";

function gemmTensor(
  a: Tensor,
  b: Tensor,
  s: MatmulShape,
  shape: number[],
  bias?: Tensor,
  post: GemmEpilogue = {},
): Tensor {
  checkBindable("matmul", "the first operand", a.shape);
  checkBindable("matmul", "the second operand", b.shape);
  checkBindable("matmul", "the product", shape);
  return Tensor.fromBuffer(
    gemm(a.buffer, b.buffer, s, bias?.buffer, post),
    shape,
  );
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
  return affine(input, weight, bias, false);
}

/**
 * `relu(linear(input, weight, bias))`, the ReLU in the GEMM's store (one
 * pass and one gradient pass fewer). `nn.Sequential` uses it for a Linear
 * followed by a ReLU.
 */
export function linearRelu(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor,
): Tensor {
  return affine(input, weight, bias, true);
}

function affine(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | undefined,
  relu: boolean,
): Tensor {
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
    const y = chunkedLinear(input, weight, bias, rows, outShape);
    return relu ? unary("relu", y) : y;
  }
  const y = gemmTensor(
    input,
    weight,
    { batch: 1, m: rows, n: outFeatures, k: inFeatures, transB: true },
    outShape,
    bias,
    { relu },
  );
  const inputs = bias ? [input, weight, bias] : [input, weight];
  const saved = relu ? [input, weight, y] : [input, weight];
  const name = relu ? "linear+relu" : "linear";
  return record(name, inputs, y, (dy, [xs, ws, ys]) => {
    // relu'(y) is relu' of the pre-activation: y > 0 exactly where it was.
    const g = relu ? unaryBackward("relu", dy, ys, ys) : dy;
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
    if (g !== dy) g.dispose();
    return [gx, gw, gb];
  }, saved);
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
