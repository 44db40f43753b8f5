/**
 * Shape arithmetic and the checks whose messages teach: broadcasting,
 * dims, sizes. The sliding-window rules (conv and pooling output sizes,
 * groups) are in `window_shape.ts`. Each rule lives here once and throws
 * one error class (TypeError for shapes, RangeError for dims).
 *
 * @module
 */

/** Product of sizes. */
export function numelOf(shape: readonly number[]): number {
  return shape.reduce((p, s) => p * s, 1);
}

/** `[2, 3]` -> `"[2, 3]"`. */
export function showShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** A dim in [0, ndim), from one that may count from the end. */
export function normalizeDim(dim: number, ndim: number, op: string): number {
  if (
    !Number.isInteger(dim) || dim < -Math.max(ndim, 1) ||
    dim >= Math.max(ndim, 1)
  ) {
    throw new RangeError(
      `Cannot use dim ${dim} in ${op} of a ${ndim}-D tensor: dims run from ${-Math
        .max(ndim, 1)} to ${Math.max(ndim, 1) - 1}`,
    );
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** The shape two shapes broadcast to (NumPy's rule), or a TypeError naming the op. */
export function broadcastShapes(
  op: string,
  a: readonly number[],
  b: readonly number[],
): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new TypeError(
        `Cannot ${op} shapes ${showShape(a)} and ${
          showShape(b)
        }: sizes ${x} and ${y} at dim ${i - rank} ` +
          `differ and neither is 1 (broadcasting needs equal sizes or 1)`,
      );
    }
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/** Throws a TypeError unless two shapes are equal. */
export function checkSameShape(
  op: string,
  a: readonly number[],
  b: readonly number[],
): void {
  if (a.length !== b.length || a.some((s, d) => s !== b[d])) {
    throw new TypeError(
      `Cannot ${op} shapes ${showShape(a)} and ${
        showShape(b)
      }: they must be equal`,
    );
  }
}

/** Checks a shape: non-negative integer sizes. */
export function checkShape(shape: readonly number[], op: string): number[] {
  if (
    !Array.isArray(shape) || shape.some((s) => !Number.isInteger(s) || s < 0)
  ) {
    throw new TypeError(
      `Cannot ${op} with shape ${
        JSON.stringify(shape)
      }: sizes must be non-negative integers`,
    );
  }
  return [...shape];
}

/** Row-major strides. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d];
  }
  return strides;
}

/** A pair from a number or a pair (kernelSize: 3 or [3, 3]). */
export function pair(
  value: number | readonly number[],
  name: string,
  op: string,
): [number, number] {
  const [h, w] = typeof value === "number" ? [value, value] : value;
  if (
    !Number.isInteger(h) || !Number.isInteger(w) ||
    (typeof value !== "number" && value.length !== 2)
  ) {
    throw new TypeError(
      `Cannot ${op} with ${name} ${
        JSON.stringify(value)
      }: give an integer or two`,
    );
  }
  return [h, w];
}
