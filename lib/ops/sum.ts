/**
 * Sums over dims and their inverse, broadcasting: the pair every gradient
 * of a broadcast op needs (`sumTo` undoes a broadcast, `broadcastTo` undoes
 * a sum). Both run as layout and reduce kernels, below the elementwise ops
 * that call them.
 *
 * @module
 */
import { record } from "../core/autograd.ts";
import { reduce, type ReduceOp } from "../device/reduce.ts";
import { gather, type StridedAxis } from "../device/copy.ts";
import { copyBuffer } from "../device/recorder.ts";
import { allocate, release } from "../device/buffer_pool.ts";
import { Tensor } from "../tensor.ts";
import { normalizeDim, numelOf, stridesOf } from "../core/shape.ts";
import type { Reduction } from "../core/types.ts";

/** The shape after reducing `dims` (kept as size 1 with `keepdim`). */
export function reducedShape(
  shape: readonly number[],
  dims: readonly number[],
  keepdim: boolean,
): number[] {
  return keepdim
    ? shape.map((s, d) => dims.includes(d) ? 1 : s)
    : shape.filter((_, d) => !dims.includes(d));
}

/** Normalised, sorted, distinct dims; all dims when omitted. */
export function reductionDims(
  x: Tensor,
  dim: number | readonly number[] | undefined,
  op: string,
): number[] {
  if (dim === undefined) return x.shape.map((_, d) => d);
  const dims = (typeof dim === "number" ? [dim] : dim).map((d) =>
    normalizeDim(d, x.ndim, op)
  );
  return [...new Set(dims)].sort((a, b) => a - b);
}

/** Reduces the given dims one contiguous block at a time; buffers only. */
export function reduceDims(op: ReduceOp, x: Tensor, dims: number[]): GPUBuffer {
  let shape = [...x.shape];
  let buffer = x.buffer;
  let owned = false;
  // From the last dim back, so earlier dims keep their positions.
  for (let i = dims.length - 1; i >= 0;) {
    let j = i;
    while (j > 0 && dims[j - 1] === dims[j] - 1) j--;
    const first = dims[j];
    const last = dims[i];
    const outer = numelOf(shape.slice(0, first));
    const r = numelOf(shape.slice(first, last + 1));
    const inner = numelOf(shape.slice(last + 1));
    const next = reduce(op, buffer, outer, r, inner).values;
    if (owned) release(buffer);
    buffer = next;
    owned = true;
    shape = [...shape.slice(0, first), ...shape.slice(last + 1)];
    i = j - 1;
  }
  if (!owned) {
    const copy = allocate(x.numel * 4, op);
    copyBuffer(buffer, copy, x.numel * 4);
    return copy;
  }
  return buffer;
}

/**
 * A new tensor of `shape` reading `x` broadcast to it (NumPy's rule; the
 * caller has checked the shapes), without autograd.
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - x.ndim;
  const strides = stridesOf(x.shape);
  // A broadcast dim reads coordinate 0 again and again: step 0, bound 1.
  const axes: StridedAxis[] = shape.map((size, d) => {
    const own = d - lead;
    const grows = own < 0 || (x.shape[own] === 1 && size !== 1);
    return grows
      ? { size, stride: 0, step: 0, start: 0, bound: 1 }
      : { size, stride: strides[own], step: 1, start: 0, bound: size };
  });
  return Tensor.fromBuffer(gather(x.buffer, axes), shape);
}

/** Sum over dims (all when omitted); its gradient broadcasts back. */
export function sum(
  x: Tensor,
  dim?: number | readonly number[],
  options: Reduction = {},
): Tensor {
  const dims = reductionDims(x, dim, "sum");
  const keepdim = options.keepdim ?? false;
  const y = Tensor.fromBuffer(
    reduceDims("sum", x, dims),
    reducedShape(x.shape, dims, keepdim),
  );
  return record("sum", [x], y, (g) => {
    const kept = g.handle(reducedShape(x.shape, dims, true));
    const gx = broadcastTo(kept, x.shape);
    kept.dispose();
    return [gx];
  });
}

/**
 * Sums `grad` over the dims that broadcasting expanded, back to `shape`
 * (the gradient of a broadcast), without autograd; returns `grad` itself
 * when nothing was expanded.
 */
export function sumTo(grad: Tensor, shape: readonly number[]): Tensor {
  if (grad.shape.join() === shape.join()) return grad;
  const lead = grad.ndim - shape.length;
  const dims: number[] = [];
  for (let d = 0; d < grad.ndim; d++) {
    if (d < lead || (shape[d - lead] === 1 && grad.shape[d] !== 1)) {
      dims.push(d);
    }
  }
  // The kept dims are in order and their sizes are `shape`'s.
  return Tensor.fromBuffer(reduceDims("sum", grad, dims), shape);
}

/** {@link sumTo} of a gradient this function may free: a summed copy replaces it. */
export function collapseTo(grad: Tensor, shape: readonly number[]): Tensor {
  const reduced = sumTo(grad, shape);
  if (reduced !== grad) grad.dispose();
  return reduced;
}
