/**
 * Batch transforms on the GPU, named after torchvision's: each takes a
 * batch [N, C, H, W] and returns a new one, drawing its random parameters
 * per image from a seeded generator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Compose, Normalize, RandomHorizontalFlip, Resize, toTensor } from "./mod.ts";
 * import { Generator } from "../generator.ts";
 * const images = toTensor(new Uint8Array(2 * 28 * 28).fill(255), [2, 1, 28, 28]);
 * const augment = new Compose([
 *   new Resize(56),
 *   new RandomHorizontalFlip(),
 *   new Normalize([0.5], [0.5]),
 * ]);
 * const out = augment.apply(images, new Generator(0));
 * assert.equal(out.shape.join(), "2,1,56,56");
 * assert.equal((await out.max().item()), 1);
 * images.dispose();
 * out.dispose();
 * ```
 *
 * @module
 */
export type { CropBox, Transform } from "./transform.ts";
export { Compose } from "./compose.ts";
export { CenterCrop, Resize } from "./resize.ts";
export { RandomCrop, type RandomCropOptions } from "./random_crop.ts";
export {
  RandomResizedCrop,
  type RandomResizedCropOptions,
} from "./random_resized_crop.ts";
export { RandomHorizontalFlip } from "./random_horizontal_flip.ts";
export { ColorJitter, type ColorJitterOptions } from "./color_jitter.ts";
export {
  PCALighting,
  type PCALightingOptions,
  symmetricEigen,
} from "./pca_lighting.ts";
export { Normalize } from "./normalize.ts";
export { toTensor } from "./to_tensor.ts";
export {
  averageCrops,
  predictTenCrop,
  TEN_CROPS,
  TenCrop,
} from "./ten_crop.ts";
