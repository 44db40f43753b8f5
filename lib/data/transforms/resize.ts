/**
 * Resize and CenterCrop: the deterministic geometric transforms.
 *
 * @module
 */
import type { Tensor } from "../../tensor.ts";
import {
  batchShape,
  type CropPlan,
  type GeometricTransform,
  roundHalfEven,
  runPlan,
  sizePair,
  wholeImages,
} from "./transform.ts";

/**
 * Resizes a batch with bilinear interpolation, matching PyTorch's
 * `F.interpolate(x, size, mode="bilinear", align_corners=False)` (and
 * torchvision's `Resize` on tensors without antialiasing, which is the same
 * when enlarging, as 28 -> 224 does). A single number sets the smaller edge
 * and keeps the aspect ratio, as torchvision does.
 *
 * @example
 * ```ts ignore
 * const big = new Resize(224).apply(images); // [N, 1, 28, 28] -> [N, 1, 224, 224]
 * ```
 */
export class Resize implements GeometricTransform {
  #size: number | readonly [number, number];

  /** Resizes to `size`: [height, width], or the smaller edge's length. */
  constructor(size: number | readonly [number, number]) {
    sizePair(size, "Resize");
    this.#size = size;
  }

  /** The output [height, width] for an input of `height` x `width`. */
  outputSize(height: number, width: number): [number, number] {
    if (typeof this.#size !== "number") return [this.#size[0], this.#size[1]];
    const short = this.#size;
    // torchvision: the long edge becomes int(size * long / short).
    return height <= width
      ? [short, Math.floor(short * width / height)]
      : [Math.floor(short * height / width), short];
  }

  /** Whole-image boxes at the output size. */
  plan(images: Tensor): CropPlan {
    const shape = batchShape(images, "Resize");
    const [outHeight, outWidth] = this.outputSize(shape[2], shape[3]);
    return { boxes: wholeImages(shape), outHeight, outWidth, fill: 0 };
  }

  /** The resized batch. */
  apply(images: Tensor): Tensor {
    return runPlan(images, this.plan(images));
  }
}

/**
 * Crops the centre of each image, as torchvision's `CenterCrop` (a crop
 * larger than the image is padded with zeros).
 */
export class CenterCrop implements GeometricTransform {
  #size: [number, number];

  /** Crops `size` ([height, width], or one number for a square). */
  constructor(size: number | readonly [number, number]) {
    this.#size = sizePair(size, "CenterCrop");
  }

  /** The cropped batch. */
  apply(images: Tensor): Tensor {
    return runPlan(images, this.plan(images));
  }

  /** The centre box of each image. */
  plan(images: Tensor): CropPlan {
    const [n, , height, width] = batchShape(images, "CenterCrop");
    const [h, w] = this.#size;
    // torchvision pads a too-small image by floor(excess / 2) before cropping.
    const start = (size: number, crop: number) =>
      crop > size
        ? -Math.floor((crop - size) / 2)
        : roundHalfEven((size - crop) / 2);
    const top = start(height, h);
    const left = start(width, w);
    const boxes = Array.from({ length: n }, (_, source) => ({
      source,
      top,
      left,
      height: h,
      width: w,
      flip: false,
    }));
    return { boxes, outHeight: h, outWidth: w, fill: 0 };
  }
}
