/**
 * GPU buffers, pooled by size class so that a training loop, which asks for
 * the same sizes every step, reuses the same buffers and keeps flat memory.
 *
 * @module
 */
import { gpu, OutOfMemoryError, throwPendingGpuError } from "./webgpu.ts";
import { flush, mayWrite } from "./recorder.ts";
import { releaseStagingTextures } from "./texture_staging.ts";
import { reclaimIfOverBudget } from "./memory_budget.ts";

/** After a reclaim, the pool is trimmed when it holds this much more than is in use. */
const TRIM_SLACK = 64 * 2 ** 20;

const USAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC |
  GPUBufferUsage.COPY_DST;

/** Byte counts of the pool, as `memory()` reports them. */
export interface MemoryInfo {
  /** Bytes in buffers held by live tensors. */
  bytesInUse: number;
  /** Bytes in released buffers kept for reuse. */
  bytesPooled: number;
  /** Buffers held by live tensors. */
  buffersInUse: number;
  /** Buffers kept for reuse. */
  buffersPooled: number;
}

const free = new Map<number, GPUBuffer[]>();
let bytesInUse = 0;
let bytesPooled = 0;
let buffersInUse = 0;
let buffersPooled = 0;

/**
 * Rounds a byte count up to its size class: four classes per power of two,
 * so a reused buffer wastes at most a quarter of its size.
 */
export function sizeClass(bytes: number): number {
  const size = Math.max(256, Math.ceil(bytes / 4) * 4);
  const power = 2 ** Math.floor(Math.log2(size));
  const step = Math.max(4, power / 4);
  return Math.ceil(size / step) * step;
}

/** Takes a buffer of at least `bytes` bytes from the pool, or allocates one. */
export function allocate(bytes: number, label = "tensor"): GPUBuffer {
  const size = sizeClass(bytes);
  // A buffer may exceed the binding limit (ops bind ranges of it), not the buffer limit.
  if (size > gpu.limits.maxBufferSize) {
    throw new RangeError(
      `Cannot allocate ${formatBytes(bytes)} for ${label} (a ${
        formatBytes(size)
      } buffer, its size class): this adapter allows at most ` +
        `${formatBytes(gpu.limits.maxBufferSize)} per buffer`,
    );
  }
  let buffer = free.get(size)?.pop();
  if (!buffer && reclaimIfOverBudget(bytesInUse, size, () => bytesInUse)) {
    // Unreachable tensors went back to the pool: reuse before growing.
    if (bytesPooled > bytesInUse + TRIM_SLACK) trimPool(bytesInUse);
    buffer = free.get(size)?.pop();
  }
  if (buffer) {
    bytesPooled -= size;
    buffersPooled--;
  } else {
    throwPendingGpuError();
    try {
      buffer = createOrFreeStaging(size, label);
    } catch (error) {
      throw new OutOfMemoryError(
        `Out of GPU memory: asked for ${formatBytes(size)} with ${
          formatBytes(bytesInUse)
        } in use by tensors and ${
          formatBytes(bytesPooled)
        } pooled (${error}). ` +
          "Free tensors you no longer need: wrap a step in tidy(), or call dispose()",
      );
    }
  }
  bytesInUse += size;
  buffersInUse++;
  return buffer;
}

/**
 * A new buffer; where the device is out of memory, once more after the
 * staging textures that ops keep (texture_staging.ts) are destroyed.
 */
function createOrFreeStaging(size: number, label: string): GPUBuffer {
  try {
    return gpu.createBuffer({ size, usage: USAGE, label });
  } catch {
    flush(); // recorded commands may still read the textures
    releaseStagingTextures();
    return gpu.createBuffer({ size, usage: USAGE, label });
  }
}

/** Returns a buffer to the pool; the caller must not use it again. */
export function release(buffer: GPUBuffer): void {
  mayWrite(buffer); // its next owner writes it
  const size = buffer.size;
  bytesInUse -= size;
  buffersInUse--;
  let list = free.get(size);
  if (!list) free.set(size, list = []);
  list.push(buffer);
  bytesPooled += size;
  buffersPooled++;
}

/**
 * Destroys pooled buffers, largest first, until the pool holds at most
 * `keep` bytes: it gives memory back once it holds far more than the
 * working set. Recorded commands may still read a pooled buffer, so they
 * are submitted first.
 */
export function trimPool(keep = 0): void {
  if (bytesPooled <= keep) return;
  flush();
  const sizes = [...free.keys()].sort((a, b) => b - a);
  for (const size of sizes) {
    const list = free.get(size)!;
    while (list.length && bytesPooled > keep) {
      list.pop()!.destroy();
      bytesPooled -= size;
      buffersPooled--;
    }
    if (!list.length) free.delete(size);
    if (bytesPooled <= keep) return;
  }
}

/** Destroys every pooled buffer (live tensors keep theirs). */
export function emptyCache(): void {
  flush();
  for (const list of free.values()) for (const buffer of list) buffer.destroy();
  free.clear();
  bytesPooled = 0;
  buffersPooled = 0;
}

/** Bytes and buffers in use and pooled. */
export function memoryInfo(): MemoryInfo {
  return { bytesInUse, bytesPooled, buffersInUse, buffersPooled };
}

/** `1536` -> `"1.5 KiB"`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
