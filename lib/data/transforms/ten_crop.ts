/**
 * TenCrop and the paper's test-time averaging over its crops.
 *
 * @module
 */
import type { Tensor } from "../../tensor.ts";
import { tidy } from "../../core/scope.ts";
import {
  batchShape,
  type CropBox,
  cropBoxes,
  roundHalfEven,
  sizePair,
  type Transform,
} from "./transform.ts";

/** Crops per image that {@link TenCrop} makes. */
export const TEN_CROPS = 10;

/**
 * The paper's test-time crops, as torchvision's `TenCrop`: the four corner
 * patches and the centre patch of each image, then the same five of the
 * mirrored image. The output [N * 10, C, h, w] keeps each image's ten crops
 * together, in torchvision's order (top-left, top-right, bottom-left,
 * bottom-right, centre, then mirrored), ready for one forward pass; see
 * {@link averageCrops} and {@link predictTenCrop}.
 */
export class TenCrop implements Transform {
  #size: [number, number];

  /** Crops `size` ([height, width], or one number for a square). */
  constructor(size: number | readonly [number, number]) {
    this.#size = sizePair(size, "TenCrop");
  }

  /** The ten crops of each image, [N * 10, C, h, w]. */
  apply(images: Tensor): Tensor {
    const [n, , height, width] = batchShape(images, "TenCrop");
    const [h, w] = this.#size;
    if (h > height || w > width) {
      throw new RangeError(
        `Cannot take ${h}x${w} crops of ${height}x${width} images: the crop is larger than the image`,
      );
    }
    const centreTop = roundHalfEven((height - h) / 2);
    const centreLeft = roundHalfEven((width - w) / 2);
    const corners: [number, number][] = [
      [0, 0],
      [0, width - w],
      [height - h, 0],
      [height - h, width - w],
      [centreTop, centreLeft],
    ];
    const boxes: CropBox[] = [];
    for (let source = 0; source < n; source++) {
      for (const flip of [false, true]) {
        for (const [top, left] of corners) {
          // A crop of the mirrored image is the mirror of the crop at the mirrored place.
          const place = flip ? width - w - left : left;
          boxes.push({ source, top, left: place, height: h, width: w, flip });
        }
      }
    }
    return cropBoxes(images, boxes, h, w);
  }
}

/**
 * Averages the outputs of each image's crops: [N * crops, ...] ->
 * [N, ...], as `out.view(N, crops, -1).mean(1)` in PyTorch.
 */
export function averageCrops(outputs: Tensor, crops = TEN_CROPS): Tensor {
  const rows = outputs.shape[0];
  if (outputs.ndim < 1 || rows % crops !== 0) {
    throw new TypeError(
      `Cannot average ${crops} crops per image over outputs of shape [${outputs.shape}]: the first size must be a multiple of ${crops}`,
    );
  }
  const rest = outputs.shape.slice(1);
  return tidy(() => outputs.reshape([rows / crops, crops, ...rest]).mean(1));
}

/**
 * The paper's test-time prediction: the model's outputs averaged over the
 * ten crops of each image (run it under `noGrad`, with the model in eval mode).
 *
 * @param forward The model, e.g. `(x) => model.forward(x)`.
 * @param images A batch [N, C, H, W].
 * @param size The crop size the model takes.
 * @returns The averaged outputs [N, ...].
 */
export function predictTenCrop(
  forward: (crops: Tensor) => Tensor,
  images: Tensor,
  size: number | readonly [number, number],
): Tensor {
  return tidy(() => averageCrops(forward(new TenCrop(size).apply(images))));
}
