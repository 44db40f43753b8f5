/**
 * What the library runs on, and what it holds: `device()`, `memory()`,
 * `flush()`, `synchronize()`.
 *
 * @module
 */
import { adapter, gpu, isFallbackAdapter } from "./device/webgpu.ts";
import { DISPLAY } from "./display.ts";
import {
  emptyCache,
  formatBytes,
  type MemoryInfo,
  memoryInfo,
} from "./device/buffer_pool.ts";
export { memoryBudget, setMemoryBudget } from "./device/memory_budget.ts";
import { flush as submit, synchronize as wait } from "./device/recorder.ts";
import { releaseStagingTextures } from "./device/matmul.ts";

/** The adapter and the limits the device was opened with. */
export interface DeviceInfo {
  /** The adapter's own description, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)". */
  description: string;
  vendor: string;
  architecture: string;
  /** True for a software or otherwise fallback adapter (lavapipe is one). */
  isFallbackAdapter: boolean;
  /** Largest storage buffer one op can bind, in bytes. */
  maxStorageBufferBindingSize: number;
  /** Largest buffer, in bytes. */
  maxBufferSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  toString(): string;
  /** Renders as a table in notebooks. */
  [DISPLAY](): Record<string, string>;
}

/**
 * The adapter and device in use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { device } from "./mod.ts";
 * assert.ok(device().maxStorageBufferBindingSize > 0);
 * ```
 */
export function device(): DeviceInfo {
  const info = adapter.info;
  const limits = gpu.limits;
  const result: DeviceInfo = {
    description: info.description || info.device || "unknown adapter",
    vendor: info.vendor,
    architecture: info.architecture,
    isFallbackAdapter,
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    maxBufferSize: limits.maxBufferSize,
    maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    toString() {
      return `${result.description}${
        result.isFallbackAdapter ? " (fallback adapter)" : ""
      }, ` +
        `storage buffers up to ${
          formatBytes(result.maxStorageBufferBindingSize)
        }`;
    },
    [DISPLAY](): Record<string, string> {
      const rows = Object.entries(result).filter(([, v]) =>
        typeof v !== "function"
      )
        .map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`).join("");
      return {
        "text/plain": result.toString(),
        "text/html": `<table>${rows}</table>`,
      };
    },
  };
  return result;
}

/**
 * GPU memory held by tensors and by the pool.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memory, zeros } from "./mod.ts";
 * const before = memory().bytesInUse;
 * const t = zeros([1024]);
 * assert.ok(memory().bytesInUse >= before + 4096);
 * t.dispose();
 * ```
 */
export function memory(): MemoryInfo & { toString(): string } {
  const info = memoryInfo();
  return {
    ...info,
    toString: () =>
      `${formatBytes(info.bytesInUse)} in use, ${
        formatBytes(info.bytesPooled)
      } pooled`,
  };
}

/** Submits recorded GPU work now (it is otherwise submitted on readback). */
export function flush(): void {
  submit();
}

/** Waits for all submitted GPU work. */
export function synchronize(): Promise<void> {
  return wait();
}

/** Frees the pooled (unused) GPU buffers and the matmul staging textures. */
export function emptyPool(): void {
  emptyCache();
  releaseStagingTextures();
}
