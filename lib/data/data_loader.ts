/**
 * DataLoader: batches of a dataset as GPU tensors, shuffled by a seed,
 * augmented on the GPU, the next batch prepared while the current one is
 * in use.
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import { tensor } from "../ops/mod.ts";
import { flush } from "../device/recorder.ts";
import type { Dataset } from "./dataset.ts";
import { deriveSeed, Generator } from "./generator.ts";
import type { Transform } from "./transforms/transform.ts";
import { toTensor } from "./transforms/to_tensor.ts";

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Images per batch (default 1). */
  batchSize?: number;
  /** A new random order every epoch (default false: dataset order). */
  shuffle?: boolean;
  /** Seeds the order and the transforms' draws (default: a random seed). */
  seed?: number;
  /** Skip the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Applied on the GPU to each batch of images in [0, 1] (after ToTensor). */
  transform?: Transform;
}

/** A batch prepared on the host: bytes NCHW, its shape, labels. */
interface HostBatch {
  bytes: Uint8Array;
  shape: [number, number, number, number];
  labels: Float32Array;
}

/** Runs `fn` on a later turn of the event loop (while the consumer awaits the GPU). */
function later<T>(fn: () => T): Promise<T> {
  const promise = new Promise<T>((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(fn());
      } catch (error) {
        reject(error);
      }
    }, 0)
  );
  promise.catch(() => {}); // handled when awaited; a loop left early must not report it
  return promise;
}

/**
 * Batches of `[images, labels]` from a dataset, as PyTorch's `DataLoader`:
 * images [B, C, H, W] float32 in [0, 1] (then `transform`), labels [B]
 * float32 class indices (what `crossEntropy` takes). Iterate it with
 * `for await`; each loop is one epoch.
 *
 * Each batch belongs to the consumer: dispose both tensors (or create what
 * uses them inside `tidy`). The loader frees its own intermediates, so an
 * epoch runs with flat GPU memory.
 *
 * Order and augmentation depend only on `seed`, the epoch and the batch
 * index: the same seed replays the same batches. While the consumer works
 * on batch k, the host gathers (and decodes) batch k + 1; batch k's upload
 * and transforms are submitted to the GPU before it is handed over, so they
 * run while the consumer records its step.
 *
 * @example
 * ```ts ignore
 * const loader = new DataLoader(train, { batchSize: 128, shuffle: true, seed: 0, transform });
 * for await (const [images, labels] of loader) {
 *   const loss = tidy(() => crossEntropy(model.forward(images), labels));
 *   images.dispose(); labels.dispose();
 * }
 * ```
 */
export class DataLoader implements AsyncIterable<[Tensor, Tensor]> {
  /** Images per batch. */
  readonly batchSize: number;
  /** Whether each epoch visits the items in a new random order. */
  readonly shuffle: boolean;
  /** Whether a last batch smaller than batchSize is skipped. */
  readonly dropLast: boolean;
  /** Seeds the order and the augmentation. */
  readonly seed: number;
  /** The batch transform, if any. */
  readonly transform: Transform | undefined;
  #epoch = 0;

  /**
   * Batches `dataset` as `options` say.
   *
   * @param dataset The items (its `load()` is awaited first).
   * @param options Batch size, shuffling, seed, dropLast, transform.
   * @throws {RangeError} For a batch size that is not a positive integer.
   */
  constructor(readonly dataset: Dataset, options: DataLoaderOptions = {}) {
    this.batchSize = options.batchSize ?? 1;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.transform = options.transform;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new RangeError(
        `Cannot make a DataLoader with batchSize ${options.batchSize}: give a positive integer`,
      );
    }
  }

  /** Number of batches in an epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast
      ? Math.floor(n / this.batchSize)
      : Math.ceil(n / this.batchSize);
  }

  /** Epochs started so far (the next loop is epoch `epoch`). */
  get epoch(): number {
    return this.#epoch;
  }

  /** The dataset indices in the order epoch `epoch` visits them. */
  order(epoch: number): Uint32Array {
    const n = this.dataset.length;
    if (!this.shuffle) return Uint32Array.from({ length: n }, (_, i) => i);
    return new Generator(deriveSeed(this.seed, epoch, 0xffffffff)).randperm(n);
  }

  /** Gathers the items of one batch into bytes and labels. */
  #collect(indices: Uint32Array): HostBatch {
    const first = this.dataset.get(indices[0])[0];
    const { channels, height, width } = first;
    const size = channels * height * width;
    const bytes = new Uint8Array(indices.length * size);
    const labels = new Float32Array(indices.length);
    indices.forEach((index, k) => {
      const [image, label] = this.dataset.get(index);
      if (
        image.channels !== channels || image.height !== height ||
        image.width !== width
      ) {
        throw new TypeError(
          `Cannot batch images of shapes [${channels}, ${height}, ${width}] (item ${
            indices[0]
          }) and [${image.channels}, ${image.height}, ${image.width}] (item ${index}): give the dataset one image size (ImageFolder's size option) or use batchSize 1`,
        );
      }
      bytes.set(image.data, k * size);
      labels[k] = label;
    });
    return { bytes, shape: [indices.length, channels, height, width], labels };
  }

  /** Uploads a host batch and runs the transform: the GPU part of a batch. */
  #upload(host: HostBatch, epoch: number, batch: number): [Tensor, Tensor] {
    const images = toTensor(host.bytes, host.shape);
    let out = images;
    if (this.transform) {
      out = this.transform.apply(
        images,
        new Generator(deriveSeed(this.seed, epoch, batch)),
      );
      if (out !== images) images.dispose();
    }
    const labels = tensor(host.labels);
    flush(); // the GPU starts on this batch while the consumer records its step
    return [out, labels];
  }

  /** One epoch of batches. */
  async *[Symbol.asyncIterator](): AsyncGenerator<[Tensor, Tensor]> {
    await this.dataset.load?.();
    const epoch = this.#epoch++;
    const order = this.order(epoch);
    const count = this.length;
    const slice = (b: number) =>
      order.subarray(
        b * this.batchSize,
        Math.min(order.length, (b + 1) * this.batchSize),
      );
    let next = count > 0 ? later(() => this.#collect(slice(0))) : undefined;
    for (let b = 0; b < count; b++) {
      const host = await next!;
      next = b + 1 < count
        ? later(() => this.#collect(slice(b + 1)))
        : undefined;
      yield this.#upload(host, epoch, b);
    }
  }
}
