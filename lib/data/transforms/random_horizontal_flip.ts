/**
 * RandomHorizontalFlip: the paper's horizontal reflections.
 *
 * @module
 */
import type { Tensor } from "../../tensor.ts";
import { defaultGenerator, type Generator } from "../generator.ts";
import {
  batchShape,
  cropBoxes,
  type Transform,
  wholeImages,
} from "./transform.ts";

/**
 * Mirrors each image left to right with probability `p` (one draw per
 * image: `generator.random() < p`), as torchvision's `RandomHorizontalFlip`.
 */
export class RandomHorizontalFlip implements Transform {
  /** Flips with probability `p` (default 0.5). */
  constructor(readonly p = 0.5) {
    if (!(p >= 0 && p <= 1)) {
      throw new RangeError(
        `Cannot make RandomHorizontalFlip with p = ${p}: give a probability in [0, 1]`,
      );
    }
  }

  /** Which of `n` images to mirror. */
  flips(n: number, generator: Generator = defaultGenerator): boolean[] {
    return Array.from({ length: n }, () => generator.random() < this.p);
  }

  /** The batch with some images mirrored. */
  apply(images: Tensor, generator: Generator = defaultGenerator): Tensor {
    const shape = batchShape(images, "RandomHorizontalFlip");
    const flips = this.flips(shape[0], generator);
    return cropBoxes(images, wholeImages(shape, flips), shape[2], shape[3]);
  }
}
