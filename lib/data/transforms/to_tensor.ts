/**
 * ToTensor: bytes to a float batch on the GPU.
 *
 * @module
 */
import { Tensor } from "../../tensor.ts";
import { bytesToFloats } from "../../device/augment.ts";

/**
 * A float batch from image bytes, as torchvision's `ToTensor` (values
 * 0-255 become 0-1): the bytes are uploaded as they are (a quarter of the
 * traffic of floats) and converted by a shader.
 *
 * @param bytes The values in `shape`'s order (NCHW for a batch of images).
 * @param shape The tensor's shape; its sizes must multiply to `bytes.length`.
 * @param scale Multiplies each byte (default 1 / 255).
 * @throws {TypeError} When the shape does not fit the bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toTensor } from "./to_tensor.ts";
 * const x = toTensor(new Uint8Array([0, 255]), [1, 1, 1, 2]);
 * assert.equal((await x.data())[1], 1);
 * ```
 */
export function toTensor(
  bytes: Uint8Array,
  shape: readonly number[],
  scale = 1 / 255,
): Tensor {
  const numel = shape.reduce((p, s) => p * s, 1);
  if (
    numel !== bytes.length || shape.some((s) => !Number.isInteger(s) || s < 0)
  ) {
    throw new TypeError(
      `Cannot make a tensor of shape [${shape}] from ${bytes.length} bytes: the sizes must multiply to the number of bytes`,
    );
  }
  return Tensor.fromBuffer(bytesToFloats(bytes, scale), shape);
}
