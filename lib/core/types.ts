/**
 * Small types shared across the library's public API.
 *
 * @module
 */

/** A number used where a tensor could be (broadcast as a scalar). */
export type Scalar = number;

/** Nested arrays of numbers, as `tensor()` takes and `toArray()` gives. */
export type TensorLike = number | TensorLike[];

/** Options of reductions over dims. */
export interface Reduction {
  /** Keep reduced dims as size 1 (default false). */
  keepdim?: boolean;
}

/** One dim of `slice()`: an index, all (`null` / `":"`), `[start, end?, step?]` or `"start:end:step"`. */
export type SliceSpec = number | null | string | [number?, number?, number?];
