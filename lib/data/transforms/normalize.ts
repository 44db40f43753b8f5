/**
 * Normalize: per-channel standardisation.
 *
 * @module
 */
import type { Tensor } from "../../tensor.ts";
import { tensor } from "../../ops/mod.ts";
import { tidy } from "../../core/scope.ts";
import { fused } from "../../ops/elementwise.ts";
import { batchShape, type Transform } from "./transform.ts";

/**
 * `(x - mean[c]) / std[c]` for each channel c, as torchvision's `Normalize`
 * (Fashion-MNIST: `new Normalize([0.2860], [0.3530])`).
 */
export class Normalize implements Transform {
  /** One mean and one standard deviation per channel (or one for all). */
  constructor(
    readonly mean: readonly number[],
    readonly std: readonly number[],
  ) {
    if (mean.length !== std.length || mean.length === 0) {
      throw new TypeError(
        `Cannot make Normalize with ${mean.length} means and ${std.length} standard deviations: give one of each per channel`,
      );
    }
    if (std.some((s) => !(s !== 0 && Number.isFinite(s)))) {
      throw new RangeError(
        `Cannot make Normalize with std [${std}]: every standard deviation must be finite and non-zero`,
      );
    }
  }

  /** The normalised batch. */
  apply(images: Tensor): Tensor {
    const [, channels] = batchShape(images, "Normalize");
    const k = this.mean.length;
    if (k !== 1 && k !== channels) {
      throw new TypeError(
        `Cannot normalize images with ${channels} channels using ${k} means: give ${channels} (or 1)`,
      );
    }
    return tidy(() => {
      const shape = [1, k, 1, 1];
      const mean = tensor(Float32Array.from(this.mean), { shape });
      const std = tensor(Float32Array.from(this.std), { shape });
      // One pass instead of sub then div: the same float32 operations.
      return fused("normalize", [images, mean, std], images.shape);
    });
  }
}
