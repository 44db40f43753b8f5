/**
 * A GPU buffer shared by tensors that view the same data (reshape, flatten,
 * detach), freed to the pool when the last of them lets go.
 *
 * @module
 */
import { release } from "../device/buffer_pool.ts";

/** A reference-counted GPU buffer of `numel` float32 values. */
export class Storage {
  #buffer: GPUBuffer | undefined;
  #refs = 1;

  /** Takes ownership of `buffer` with one reference. */
  constructor(buffer: GPUBuffer, readonly numel: number) {
    this.#buffer = buffer;
  }

  /** The buffer; throws once freed. */
  get buffer(): GPUBuffer {
    if (!this.#buffer) {
      throw new Error("Cannot use a tensor after it was disposed");
    }
    return this.#buffer;
  }

  /** Adds a reference. */
  retain(): this {
    if (!this.#buffer) {
      throw new Error("Cannot use a tensor after it was disposed");
    }
    this.#refs++;
    return this;
  }

  /** Drops a reference; the last one returns the buffer to the pool. */
  release(): void {
    if (!this.#buffer) return;
    if (--this.#refs === 0) {
      release(this.#buffer);
      this.#buffer = undefined;
    }
  }
}
