/**
 * What a dataset is: `{ length, get(i) }`, each item an image as bytes with
 * its class index. Images stay as bytes on the host (Fashion-MNIST's 60,000
 * images are 47 MB that way, four times that as float32) and become GPU
 * tensors a batch at a time in the DataLoader.
 *
 * @module
 */

/** An image as bytes, channels first (CHW), values 0-255. */
export interface ImageBytes {
  /** channels * height * width values, row-major in CHW order. */
  data: Uint8Array;
  /** Colour channels: 1 (grey) or 3 (RGB). */
  channels: number;
  /** Rows of pixels. */
  height: number;
  /** Columns of pixels. */
  width: number;
}

/** One item of a dataset: an image and its class index. */
export type Sample = [image: ImageBytes, label: number];

/**
 * A map-style dataset, as PyTorch's `torch.utils.data.Dataset`. `load()`,
 * when present, is awaited by the DataLoader before the first batch (files
 * are read asynchronously).
 */
export interface Dataset {
  /** Number of items. */
  readonly length: number;
  /** Item `index` (0 <= index < length). */
  get(index: number): Sample;
  /** Reads what `get` needs; awaited before the first batch. */
  load?(): Promise<unknown>;
}

/** Throws a RangeError unless `index` is an integer in [0, length). */
export function checkIndex(index: number, length: number, what: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(
      `Cannot get item ${index} of ${what}: indices run from 0 to ${
        length - 1
      }`,
    );
  }
}

/**
 * The items of `dataset` at `indices`, as PyTorch's `Subset`: the way to
 * train on a small part of a data set on a slow adapter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Subset, type Dataset } from "./dataset.ts";
 * const image = { data: new Uint8Array(1), channels: 1, height: 1, width: 1 };
 * const all: Dataset = { length: 10, get: (i) => [image, i] };
 * const part = new Subset(all, [3, 5]);
 * assert.equal(part.length, 2);
 * assert.equal(part.get(1)[1], 5);
 * ```
 */
export class Subset implements Dataset {
  /** Indices into the underlying dataset. */
  readonly indices: readonly number[];

  /** Items `indices` of `dataset` (use `Array.from({ length: n }, (_, i) => i)` for the first n). */
  constructor(readonly dataset: Dataset, indices: Iterable<number>) {
    this.indices = [...indices];
  }

  /** Number of items. */
  get length(): number {
    return this.indices.length;
  }

  /** Item `index` of the subset. */
  get(index: number): Sample {
    checkIndex(index, this.length, "a subset");
    return this.dataset.get(this.indices[index]);
  }

  /** Loads the underlying dataset. */
  async load(): Promise<this> {
    await this.dataset.load?.();
    return this;
  }
}
