/**
 * The GPU memory budget: when the bytes held by tensors would cross it, the
 * allocator first asks the core to reclaim tensors JavaScript can no longer
 * reach (a notebook loop that forgets `tidy()`), then trims the pool. The
 * core registers the reclaimer (device/ imports nothing above it).
 *
 * @module
 */
import { gpu } from "./webgpu.ts";

/** The fraction of the adapter's buffer limit that tensors may hold before a reclaim. */
let fraction = 0.5;
let reclaimer: (() => void) | undefined;
/** Bytes in use above which the next allocation reclaims first. */
let threshold = 0;

/** The budget in bytes: the fraction times the adapter's largest buffer (the size it states). */
export function memoryBudget(): number {
  return fraction * gpu.limits.maxBufferSize;
}

/**
 * Sets the budget as a fraction (above 0) of the adapter's largest buffer,
 * `gpu.limits.maxBufferSize`; 0.5 by default.
 */
export function setMemoryBudget(value: number): void {
  if (!(value > 0 && value < Infinity)) {
    throw new RangeError(
      `Cannot set the GPU memory budget to ${value}: give a fraction above 0`,
    );
  }
  fraction = value;
  threshold = 0;
}

/** Registers the function that frees unreachable tensors (the core's). */
export function setReclaimer(fn: () => void): void {
  reclaimer = fn;
}

/**
 * Called before growing the pool: reclaims when `inUse + bytes` crosses the
 * budget (or the raised threshold after a reclaim that freed little, so a
 * working set above the budget does not collect on every allocation).
 * Returns whether it ran.
 */
export function reclaimIfOverBudget(
  inUse: number,
  bytes: number,
  measure: () => number,
): boolean {
  const limit = Math.max(memoryBudget(), threshold);
  if (inUse + bytes <= limit || !reclaimer) return false;
  reclaimer();
  threshold = Math.max(memoryBudget(), measure() * 1.5);
  return true;
}
