/**
 * Data: Fashion-MNIST and folders of your own images, a DataLoader that
 * batches them onto the GPU, and GPU augmentations (`transforms`), named
 * after PyTorch's `torch.utils.data` and torchvision's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DataLoader, Subset, transforms, type Dataset } from "./mod.ts";
 * const image = { data: new Uint8Array(4).fill(255), channels: 1, height: 2, width: 2 };
 * const tiny: Dataset = { length: 5, get: (i) => [image, i % 2] };
 * const loader = new DataLoader(new Subset(tiny, [0, 1, 2, 3, 4]), {
 *   batchSize: 2, shuffle: true, seed: 0, transform: new transforms.Resize(4),
 * });
 * assert.equal(loader.length, 3);
 * for await (const [images, labels] of loader) {
 *   assert.equal(images.shape.slice(1).join(), "1,4,4");
 *   images.dispose();
 *   labels.dispose();
 * }
 * ```
 *
 * @module
 */
export {
  checkIndex,
  type Dataset,
  type ImageBytes,
  type Sample,
  Subset,
} from "./dataset.ts";
export { defaultGenerator, deriveSeed, Generator } from "./generator.ts";
export { gunzipIfNeeded, type IdxArray, parseIdx, readIdxFile } from "./idx.ts";
export { downloadFile, type DownloadOptions } from "./download.ts";
export {
  DEBIAN_FASHION_MNIST_DIR,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_URLS,
  FashionMNIST,
  fashionMnistCacheDir,
  type FashionMNISTOptions,
} from "./fashion_mnist.ts";
export {
  decodeImage,
  IMAGE_EXTENSIONS,
  ImageFolder,
  type ImageFolderOptions,
} from "./image_folder.ts";
export { DataLoader, type DataLoaderOptions } from "./data_loader.ts";
export { ImageGrid, imageGrid, type ImageGridOptions } from "./image_grid.ts";
export * as transforms from "./transforms/mod.ts";
