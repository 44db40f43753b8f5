/**
 * RandomResizedCrop: a crop of random area and aspect ratio, resized.
 *
 * @module
 */
import type { Tensor } from "../../tensor.ts";
import { defaultGenerator, type Generator } from "../generator.ts";
import {
  batchShape,
  type CropBox,
  type CropPlan,
  type GeometricTransform,
  roundHalfEven,
  runPlan,
  sizePair,
} from "./transform.ts";

/** Options of {@link RandomResizedCrop}. */
export interface RandomResizedCropOptions {
  /** Range of the crop's area as a fraction of the image's (default [0.08, 1]). */
  scale?: readonly [number, number];
  /** Range of the crop's width / height (default [3/4, 4/3]). */
  ratio?: readonly [number, number];
}

/**
 * Crops a random region of each image and resizes it to `size` (bilinear,
 * as {@link Resize}), as torchvision's `RandomResizedCrop`: up to ten tries
 * at an area drawn from `scale` and a log-uniform aspect ratio from `ratio`,
 * then a centre crop clamped to `ratio` when none fits. Applied to 28x28
 * Fashion-MNIST with size 224 it crops and enlarges in one pass.
 */
export class RandomResizedCrop implements GeometricTransform {
  #size: [number, number];
  #scale: readonly [number, number];
  #ratio: readonly [number, number];

  /** Crops and resizes to `size` ([height, width], or one number for a square). */
  constructor(
    size: number | readonly [number, number],
    options: RandomResizedCropOptions = {},
  ) {
    this.#size = sizePair(size, "RandomResizedCrop");
    this.#scale = options.scale ?? [0.08, 1];
    this.#ratio = options.ratio ?? [3 / 4, 4 / 3];
    const [s0, s1] = this.#scale;
    const [r0, r1] = this.#ratio;
    if (!(s0 > 0 && s0 <= s1 && s1 <= 1) || !(r0 > 0 && r0 <= r1)) {
      throw new RangeError(
        `Cannot make RandomResizedCrop with scale [${this.#scale}] and ratio [${this.#ratio}]: need 0 < scale[0] <= scale[1] <= 1 and 0 < ratio[0] <= ratio[1]`,
      );
    }
  }

  /** One crop box in an image of `height` x `width` (torchvision's get_params). */
  box(height: number, width: number, generator: Generator): CropBox {
    const area = height * width;
    const logRatio = [Math.log(this.#ratio[0]), Math.log(this.#ratio[1])];
    for (let attempt = 0; attempt < 10; attempt++) {
      const targetArea = area *
        generator.uniform(this.#scale[0], this.#scale[1]);
      const aspect = Math.exp(generator.uniform(logRatio[0], logRatio[1]));
      const w = roundHalfEven(Math.sqrt(targetArea * aspect));
      const h = roundHalfEven(Math.sqrt(targetArea / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        const top = generator.randint(0, height - h + 1);
        const left = generator.randint(0, width - w + 1);
        return { source: 0, top, left, height: h, width: w, flip: false };
      }
    }
    // Fallback: the whole image, cut to the nearest allowed aspect ratio.
    let w = width;
    let h = height;
    if (width / height < this.#ratio[0]) h = roundHalfEven(w / this.#ratio[0]);
    else if (width / height > this.#ratio[1]) {
      w = roundHalfEven(h * this.#ratio[1]);
    }
    return {
      source: 0,
      top: Math.floor((height - h) / 2),
      left: Math.floor((width - w) / 2),
      height: h,
      width: w,
      flip: false,
    };
  }

  /** The cropped and resized batch. */
  apply(images: Tensor, generator: Generator = defaultGenerator): Tensor {
    return runPlan(images, this.plan(images, generator));
  }

  /** Draws each image's box. */
  plan(images: Tensor, generator: Generator = defaultGenerator): CropPlan {
    const [n, , height, width] = batchShape(images, "RandomResizedCrop");
    const boxes = Array.from({ length: n }, (_, source) => ({
      ...this.box(height, width, generator),
      source,
    }));
    return {
      boxes,
      outHeight: this.#size[0],
      outWidth: this.#size[1],
      fill: 0,
    };
  }
}
