/**
 * PCALighting: the AlexNet paper's colour augmentation.
 *
 * @module
 */
import type { Tensor } from "../../tensor.ts";
import { tensor } from "../../ops/mod.ts";
import { defaultGenerator, type Generator } from "../generator.ts";
import { batchShape, type Transform } from "./transform.ts";

/** Options of {@link PCALighting}. */
export interface PCALightingOptions {
  /** The principal components' eigenvalues, largest first. */
  eigenvalues: readonly number[];
  /** eigenvectors[i] is the unit eigenvector of eigenvalues[i] (one value per channel). */
  eigenvectors: readonly (readonly number[])[];
  /** Standard deviation of the per-image weights alpha (default 0.1, the paper's). */
  alphaStd?: number;
}

/**
 * Eigenvalues (descending) and unit eigenvectors of a symmetric matrix, by
 * cyclic Jacobi rotations (exact enough in float64 for 3x3 in a few sweeps).
 */
export function symmetricEigen(
  matrix: readonly (readonly number[])[],
): { values: number[]; vectors: number[][] } {
  const n = matrix.length;
  const a = matrix.map((row) => [...row]);
  const v: number[][] = Array.from(
    { length: n },
    (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    }
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        // The rotation by theta that zeroes a[p][q].
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) /
          (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) =>
    a[j][j] - a[i][i]
  );
  return {
    values: order.map((i) => a[i][i]),
    vectors: order.map((i) => v.map((row) => row[i])),
  };
}

/**
 * The paper's colour augmentation (Krizhevsky et al. 2012, section 4.1):
 * to every pixel of an image add `sum_i p_i * alpha_i * lambda_i`, where
 * p_i, lambda_i are the eigenvectors and eigenvalues of the covariance of
 * the training set's pixel colours and alpha_i ~ N(0, alphaStd) is drawn
 * once per image (draws in order i = 0..C-1). It shifts each image's
 * colours along the directions natural images vary in. Fit the components
 * with {@link PCALighting.fit}. On pixels in [0, 1] the eigenvalues are
 * small (about 0.1 and less), so the shifts are too; pass larger
 * eigenvalues (e.g. their square roots, as several reimplementations do)
 * for a stronger effect. Works for any channel count (1: brightness).
 */
export class PCALighting implements Transform {
  /** The principal components' eigenvalues, largest first. */
  readonly eigenvalues: readonly number[];
  /** eigenvectors[i] belongs to eigenvalues[i]. */
  readonly eigenvectors: readonly (readonly number[])[];
  /** Standard deviation of the per-image weights alpha. */
  readonly alphaStd: number;

  /** Uses the given principal components. */
  constructor(options: PCALightingOptions) {
    const { eigenvalues, eigenvectors, alphaStd = 0.1 } = options;
    const c = eigenvalues.length;
    if (
      eigenvectors.length !== c || eigenvectors.some((row) => row.length !== c)
    ) {
      throw new TypeError(
        `Cannot make PCALighting from ${c} eigenvalues and eigenvectors of shape [${eigenvectors.length}, ${
          eigenvectors[0]?.length
        }]: give ${c} eigenvectors of ${c} values`,
      );
    }
    if (!(alphaStd >= 0)) {
      throw new RangeError(
        `Cannot make PCALighting with alphaStd ${alphaStd}: give a non-negative number`,
      );
    }
    this.eigenvalues = [...eigenvalues];
    this.eigenvectors = eigenvectors.map((row) => [...row]);
    this.alphaStd = alphaStd;
  }

  /**
   * Fits the principal components of the pixel colours of `images`
   * [N, C, H, W] (a sample of the training set, after ToTensor): the
   * eigen-decomposition of the C x C covariance over all N * H * W pixels.
   */
  static async fit(
    images: Tensor,
    options: { alphaStd?: number } = {},
  ): Promise<PCALighting> {
    const [n, channels, height, width] = batchShape(images, "PCALighting.fit");
    const values = await images.data();
    const plane = height * width;
    const count = n * plane;
    const mean = new Float64Array(channels);
    const cov = Array.from(
      { length: channels },
      () => new Array(channels).fill(0),
    );
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < channels; c++) {
        const base = (i * channels + c) * plane;
        for (let k = 0; k < plane; k++) mean[c] += values[base + k];
      }
    }
    for (let c = 0; c < channels; c++) mean[c] /= count;
    const pixel = new Float64Array(channels);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < plane; k++) {
        for (let c = 0; c < channels; c++) {
          pixel[c] = values[(i * channels + c) * plane + k] - mean[c];
        }
        for (let p = 0; p < channels; p++) {
          for (let q = p; q < channels; q++) cov[p][q] += pixel[p] * pixel[q];
        }
      }
    }
    for (let p = 0; p < channels; p++) {
      for (let q = p; q < channels; q++) {
        cov[p][q] /= count - 1;
        cov[q][p] = cov[p][q];
      }
    }
    const { values: eigenvalues, vectors } = symmetricEigen(cov);
    return new PCALighting({
      eigenvalues: eigenvalues.map((value) => Math.max(0, value)),
      eigenvectors: vectors,
      alphaStd: options.alphaStd,
    });
  }

  /** The per-image colour shifts [N, C] for the next N images of `generator`. */
  offsets(n: number, generator: Generator = defaultGenerator): Float32Array {
    const c = this.eigenvalues.length;
    const out = new Float32Array(n * c);
    for (let image = 0; image < n; image++) {
      for (let i = 0; i < c; i++) {
        const weight = generator.normal(0, this.alphaStd) * this.eigenvalues[i];
        for (let channel = 0; channel < c; channel++) {
          out[image * c + channel] += this.eigenvectors[i][channel] * weight;
        }
      }
    }
    return out;
  }

  /** The batch with each image's colours shifted. */
  apply(images: Tensor, generator: Generator = defaultGenerator): Tensor {
    const [n, channels] = batchShape(images, "PCALighting");
    const c = this.eigenvalues.length;
    if (channels !== c) {
      throw new TypeError(
        `Cannot apply PCALighting fitted on ${c} channels to images with ${channels}: fit it on images like these`,
      );
    }
    const shift = tensor(this.offsets(n, generator), {
      shape: [n, c, 1, 1],
    });
    const out = images.add(shift);
    shift.dispose();
    return out;
  }
}
