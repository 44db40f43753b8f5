/**
 * RandomCrop: a crop at a random place, after optional zero padding.
 *
 * @module
 */
import type { Tensor } from "../../tensor.ts";
import { defaultGenerator, type Generator } from "../generator.ts";
import {
  batchShape,
  type CropPlan,
  type GeometricTransform,
  runPlan,
  sizePair,
} from "./transform.ts";

/** Options of {@link RandomCrop}. */
export interface RandomCropOptions {
  /** Pixels of `fill` added on every side before cropping (default 0). */
  padding?: number;
  /** The value of padded pixels (default 0). */
  fill?: number;
}

/**
 * Crops each image at a random position, as torchvision's `RandomCrop`:
 * the image is padded by `padding` on every side, then a `size` window is
 * placed uniformly at random inside, one draw per image (row, then column).
 * The paper's "random 224x224 patches of the 256x256 images" is
 * `new RandomCrop(224)` on 256x256 input.
 */
export class RandomCrop implements GeometricTransform {
  #size: [number, number];
  #padding: number;
  #fill: number;

  /** Crops `size` ([height, width], or one number for a square). */
  constructor(
    size: number | readonly [number, number],
    options: RandomCropOptions = {},
  ) {
    this.#size = sizePair(size, "RandomCrop");
    this.#padding = options.padding ?? 0;
    this.#fill = options.fill ?? 0;
    if (!Number.isInteger(this.#padding) || this.#padding < 0) {
      throw new RangeError(
        `Cannot make RandomCrop with padding ${this.#padding}: give a non-negative integer`,
      );
    }
  }

  /** The cropped batch. */
  apply(images: Tensor, generator: Generator = defaultGenerator): Tensor {
    return runPlan(images, this.plan(images, generator));
  }

  /** Draws each image's window: row, then column. */
  plan(images: Tensor, generator: Generator = defaultGenerator): CropPlan {
    const [n, , height, width] = batchShape(images, "RandomCrop");
    const [h, w] = this.#size;
    const p = this.#padding;
    if (h > height + 2 * p || w > width + 2 * p) {
      throw new RangeError(
        `Cannot take a random ${h}x${w} crop of ${height}x${width} images with padding ${p}: the crop is larger than the padded image; use a smaller size or more padding`,
      );
    }
    const boxes = Array.from({ length: n }, (_, source) => {
      const top = generator.randint(0, height + 2 * p - h + 1) - p;
      const left = generator.randint(0, width + 2 * p - w + 1) - p;
      return { source, top, left, height: h, width: w, flip: false };
    });
    return { boxes, outHeight: h, outWidth: w, fill: this.#fill };
  }
}
