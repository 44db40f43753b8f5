/**
 * GPU-side time stamps between recorded commands, without a wait per mark:
 * each mark is an empty compute pass that writes a timestamp query when it
 * begins, after the commands recorded before it (the tuner and
 * `bench/alexnet_step.ts --profile` use it). Only where the device has
 * `timestamp-query`; see {@link hasTimestamps}.
 *
 * @module
 */
import { commandEncoder, readBuffer } from "./recorder.ts";
import { gpu } from "./webgpu.ts";

/** True when the device was opened with `timestamp-query`. */
export const hasTimestamps: boolean = gpu.features.has("timestamp-query");

/** A set of `count` timestamp marks, read back together. */
export class GpuTimer {
  #querySet: GPUQuerySet;
  #count: number;

  /**
   * @param count how many marks
   * @throws {Error} when the device has no `timestamp-query`
   */
  constructor(count: number) {
    if (!hasTimestamps) {
      throw new Error(
        "Cannot time on the GPU: this device has no timestamp-query feature",
      );
    }
    this.#count = count;
    this.#querySet = gpu.createQuerySet({ type: "timestamp", count });
  }

  /**
   * Records mark `index` after everything recorded so far.
   *
   * @param index 0 .. count-1
   */
  mark(index: number): void {
    commandEncoder().beginComputePass({
      label: `timestamp ${index}`,
      timestampWrites: {
        querySet: this.#querySet,
        beginningOfPassWriteIndex: index,
      },
    }).end();
  }

  /**
   * Submits, waits and returns the marks in seconds (from an arbitrary
   * origin), then frees the query set. Only marks 0 .. used-1 are read:
   * resolving queries never written can stall some Vulkan drivers.
   *
   * @param used how many marks were recorded (all by default)
   * @returns one time per mark read
   */
  async read(used: number = this.#count): Promise<number[]> {
    const bytes = used * 8;
    const resolved = gpu.createBuffer({
      label: "timestamps",
      size: bytes,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    commandEncoder().resolveQuerySet(
      this.#querySet,
      0,
      used,
      resolved,
      0,
    );
    try {
      const data = new BigUint64Array(await readBuffer(resolved, bytes));
      return [...data].map((ns) => Number(ns) / 1e9);
    } finally {
      resolved.destroy();
      this.#querySet.destroy();
    }
  }
}
