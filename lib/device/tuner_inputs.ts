/**
 * Inputs for the tuner's timing runs: buffers of harmless values (no
 * denormals or NaNs, which slow some adapters), made without the library's
 * random generator so that tuning never shifts a user's random stream.
 *
 * @module
 */
import { allocate } from "./buffer_pool.ts";
import { bindingLimit, upload } from "./recorder.ts";

/**
 * A pooled buffer of `floats` values in [-0.5, 0.5).
 *
 * @param floats how many
 * @returns a buffer from `allocate()`
 * @throws {RangeError} when the buffer would be larger than a binding can hold
 */
export function randomBuffer(floats: number): GPUBuffer {
  if (floats * 4 > bindingLimit) {
    throw new RangeError(
      `Cannot tune on a ${
        (floats * 4 / 2 ** 20).toFixed(1)
      } MiB operand: this adapter binds at most ${
        (bindingLimit / 2 ** 20).toFixed(1)
      } MiB per buffer`,
    );
  }
  const data = new Float32Array(floats);
  for (let i = 0; i < floats; i++) data[i] = ((i * 7919) % 1009) / 1009 - 0.5;
  const buffer = allocate(Math.max(4, floats * 4), "tuning input");
  upload(buffer, data);
  return buffer;
}
