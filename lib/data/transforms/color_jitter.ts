/**
 * ColorJitter: random brightness and contrast per image.
 *
 * @module
 */
import type { Tensor } from "../../tensor.ts";
import { tensor } from "../../ops/mod.ts";
import { tidy } from "../../core/scope.ts";
import { fused } from "../../ops/elementwise.ts";
import { defaultGenerator, type Generator } from "../generator.ts";
import { batchShape, type Transform } from "./transform.ts";

/** Options of {@link ColorJitter}: a jitter j means a factor in [max(0, 1 - j), 1 + j]; a pair gives the range. */
export interface ColorJitterOptions {
  /** Brightness factor jitter (default 0: off). */
  brightness?: number | readonly [number, number];
  /** Contrast factor jitter (default 0: off). */
  contrast?: number | readonly [number, number];
}

/** ITU-R 601-2 luma weights, as torchvision's rgb_to_grayscale. */
const LUMA = [0.2989, 0.587, 0.114];

function factorRange(
  value: number | readonly [number, number] | undefined,
  name: string,
): [number, number] | undefined {
  if (value === undefined || value === 0) return undefined;
  const range: [number, number] = typeof value === "number"
    ? [Math.max(0, 1 - value), 1 + value]
    : [value[0], value[1]];
  if (
    !(range[0] >= 0 && range[0] <= range[1]) ||
    (typeof value === "number" && value < 0)
  ) {
    throw new RangeError(
      `Cannot make ColorJitter with ${name} ${
        JSON.stringify(value)
      }: give a non-negative number or a range [min, max] with 0 <= min <= max`,
    );
  }
  return range;
}

/**
 * Randomly changes the brightness and contrast of each image, as
 * torchvision's `ColorJitter` for those two: brightness multiplies by a
 * factor b, contrast blends with the image's mean grey level,
 * `c * x + (1 - c) * mean`, each result clamped to [0, 1]. Unlike
 * torchvision, whose order is random, brightness always comes first; per
 * image the draws are b, then c.
 */
export class ColorJitter implements Transform {
  #brightness: [number, number] | undefined;
  #contrast: [number, number] | undefined;

  /** Jitters brightness and/or contrast (both off by default). */
  constructor(options: ColorJitterOptions = {}) {
    this.#brightness = factorRange(options.brightness, "brightness");
    this.#contrast = factorRange(options.contrast, "contrast");
  }

  /** The jittered batch (values in [0, 1]). */
  apply(images: Tensor, generator: Generator = defaultGenerator): Tensor {
    const [n, channels] = batchShape(images, "ColorJitter");
    if (this.#contrast && channels !== 1 && channels !== 3) {
      throw new TypeError(
        `Cannot adjust the contrast of images with ${channels} channels: give 1 (grey) or 3 (RGB)`,
      );
    }
    const brightness = new Float32Array(n).fill(1);
    const contrast = new Float32Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      if (this.#brightness) {
        brightness[i] = generator.uniform(...this.#brightness);
      }
      if (this.#contrast) contrast[i] = generator.uniform(...this.#contrast);
    }
    // Three passes over the batch: brightness, the channel means, contrast.
    return tidy(() => {
      const perImage = [n, 1, 1, 1];
      let out = images;
      if (this.#brightness) {
        const b = tensor(brightness, { shape: perImage });
        out = fused("brightness", [images, b], images.shape);
      }
      if (this.#contrast) {
        // The mean grey level is the luma-weighted sum of the channel means.
        const channelMeans = out.mean([2, 3], { keepdim: true }); // [N, C, 1, 1]
        const mean = channels === 3
          ? channelMeans.mul(tensor(LUMA, { shape: [1, 3, 1, 1] })).sum(1, {
            keepdim: true,
          })
          : channelMeans;
        const c = tensor(contrast, { shape: perImage });
        out = fused("contrast", [out, mean, c], images.shape);
      }
      return out === images ? images.handle() : out;
    });
  }
}
