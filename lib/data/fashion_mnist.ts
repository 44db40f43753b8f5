/**
 * Fashion-MNIST (Xiao, Rasul, Vollgraf, 2017): 70,000 grayscale 28x28
 * images of clothing in 10 classes, 60,000 for training and 10,000 for
 * testing, in the four IDX files that Zalando Research publishes.
 *
 * Where the files are looked for, in order:
 * 1. the `root` option, when given: then only there, and a download goes there;
 * 2. the folder in the FASHION_MNIST_DIR environment variable;
 * 3. `/usr/share/datasets/fashion-mnist` (Debian's `dataset-fashion-mnist`);
 * 4. the cache folder, `$XDG_CACHE_HOME/deno-webgpu-alexnet/fashion-mnist`
 *    (`~/.cache/...` without XDG_CACHE_HOME);
 * 5. a download from the official URLs into the cache folder.
 *
 * Each file may be gzip-compressed (`.gz`) or raw. Its content is checked
 * against the MD5 of the decompressed official file: Debian recompressed its
 * copies, so the `.gz` bytes differ from upstream's while the content is the
 * same. A file that passed is remembered by path, size and modification
 * time, so loading it again in the same process skips the check (which
 * costs about 70 ms for the 47 MB training images).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { gunzipIfNeeded, type IdxArray, parseIdx } from "./idx.ts";
import { downloadFile, type DownloadOptions } from "./download.ts";
import { checkIndex, type Dataset, type Sample } from "./dataset.ts";

/** Class names of Fashion-MNIST, by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
]);

/** The official download location (README of zalandoresearch/fashion-mnist). */
export const FASHION_MNIST_URLS: readonly string[] = Object.freeze([
  "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
]);

/** Debian's package `dataset-fashion-mnist` installs the files here. */
export const DEBIAN_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

interface FileSpec {
  /** File name without `.gz`. */
  name: string;
  /** MD5 of the decompressed content (upstream's README and ../shared/data/README.md). */
  md5: string;
  dims: number[];
}

const SIDE = 28;
const FILES: Record<"train" | "test", { images: FileSpec; labels: FileSpec }> =
  {
    train: {
      images: {
        name: "train-images-idx3-ubyte",
        md5: "f4a8712d7a061bf5bd6d2ca38dc4d50a",
        dims: [60000, SIDE, SIDE],
      },
      labels: {
        name: "train-labels-idx1-ubyte",
        md5: "9018921c3c673c538a1fc5bad174d6f9",
        dims: [60000],
      },
    },
    test: {
      images: {
        name: "t10k-images-idx3-ubyte",
        md5: "8181f5470baa50b63fa0f6fddb340f0a",
        dims: [10000, SIDE, SIDE],
      },
      labels: {
        name: "t10k-labels-idx1-ubyte",
        md5: "15d484375f8d13e6eb1aabb0c3f46965",
        dims: [10000],
      },
    },
  };

/** Options of {@link FashionMNIST}. */
export interface FashionMNISTOptions {
  /** The training split (60,000 images) or the test split (10,000); default true. */
  train?: boolean;
  /** The one folder to read from and download into (skips the search). */
  root?: string;
  /** Download missing files from `urls` (default true). */
  download?: boolean;
  /** Base URLs to download from, tried in order (default: the official one). */
  urls?: readonly string[];
  /** Progress of downloads (default: a progress line when stderr is a terminal). */
  onProgress?: DownloadOptions["onProgress"];
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined; // no env permission
  }
}

/** The cache folder downloads go to when no `root` is given. */
export function fashionMnistCacheDir(): string {
  const base = env("XDG_CACHE_HOME") ?? `${env("HOME") ?? "."}/.cache`;
  return `${base}/deno-webgpu-alexnet/fashion-mnist`;
}

async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** Files whose content passed the MD5 check, by path|size|mtime. */
const verified = new Set<string>();

async function readChecked(path: string, spec: FileSpec): Promise<IdxArray> {
  const info = await Deno.stat(path);
  const key = `${path}|${info.size}|${info.mtime?.getTime()}`;
  const raw = await gunzipIfNeeded(await Deno.readFile(path), path);
  if (!verified.has(key)) {
    const md5 = createHash("md5").update(raw).digest("hex");
    if (md5 !== spec.md5) {
      throw new Error(
        `Content check failed for ${path}: the MD5 of its decompressed data is ${md5}, expected ${spec.md5} for ${spec.name} (${raw.length} bytes, expected ${
          4 + 4 * spec.dims.length + spec.dims.reduce((p, s) => p * s, 1)
        }). The file is corrupt or not the official one: delete it and load again to download a fresh copy (or reinstall dataset-fashion-mnist)`,
      );
    }
  }
  const idx = parseIdx(raw, path);
  if (idx.dims.join() !== spec.dims.join()) {
    throw new Error(
      `Cannot use ${path}: it holds an array of shape [${idx.dims}], expected [${spec.dims}] for ${spec.name}`,
    );
  }
  verified.add(key);
  return idx;
}

async function findFile(
  folders: readonly string[],
  spec: FileSpec,
): Promise<string | undefined> {
  for (const folder of folders) {
    for (const name of [`${spec.name}.gz`, spec.name]) {
      const info = await statOrNull(`${folder}/${name}`);
      if (info?.isFile) return `${folder}/${name}`;
    }
  }
  return undefined;
}

/**
 * The Fashion-MNIST data set, as torchvision's `datasets.FashionMNIST`:
 * `length` images of 1x28x28 bytes with labels 0-9 (`classes` names them).
 * Construct it, then `await load()` (the DataLoader calls it too).
 *
 * @example
 * ```ts ignore
 * import { FashionMNIST } from "./fashion_mnist.ts";
 * const train = await new FashionMNIST({ train: true }).load();
 * const [image, label] = train.get(0);
 * console.log(image.height, train.classes[label]); // 28 "Ankle boot"
 * ```
 */
export class FashionMNIST implements Dataset {
  /** Class names, by label. */
  static readonly classes: readonly string[] = FASHION_MNIST_CLASSES;
  /** Class names, by label. */
  readonly classes: readonly string[] = FASHION_MNIST_CLASSES;
  /** Whether this is the training split. */
  readonly train: boolean;
  #options: FashionMNISTOptions;
  #loading: Promise<this> | undefined;
  #images: Uint8Array | undefined;
  #labels: Uint8Array | undefined;
  #files: string[] = [];

  /** Describes the split and where to find it; `load()` reads it. */
  constructor(options: FashionMNISTOptions = {}) {
    this.#options = options;
    this.train = options.train ?? true;
  }

  /** Number of images: 60,000 (train) or 10,000 (test). */
  get length(): number {
    return FILES[this.train ? "train" : "test"].labels.dims[0];
  }

  /** All images as bytes, [length, 28, 28] row-major (after `load()`). */
  get data(): Uint8Array {
    return this.#images ?? this.#notLoaded();
  }

  /** All labels (after `load()`). */
  get targets(): Uint8Array {
    return this.#labels ?? this.#notLoaded();
  }

  /** The files the split was read from (after `load()`). */
  get files(): readonly string[] {
    return this.#files;
  }

  #notLoaded(): never {
    throw new Error(
      "Fashion-MNIST is not loaded yet: `await dataset.load()` first (a DataLoader does it for you)",
    );
  }

  /**
   * Finds (or downloads), checks and reads the split's two files; safe to
   * call again (it loads once).
   *
   * @throws {Error} When a file is missing and downloading is off or fails,
   * or when a file is truncated, corrupt or of the wrong shape: the message
   * names the file and how to fix it.
   */
  load(): Promise<this> {
    this.#loading ??= this.#load().catch((error) => {
      this.#loading = undefined; // let a later call try again
      throw error;
    });
    return this.#loading;
  }

  async #load(): Promise<this> {
    const { root, download = true, urls = FASHION_MNIST_URLS, onProgress } =
      this.#options;
    const cache = fashionMnistCacheDir();
    const folders = root !== undefined
      ? [root]
      : [env("FASHION_MNIST_DIR"), DEBIAN_FASHION_MNIST_DIR, cache].filter(
        (f): f is string => f !== undefined,
      );
    const target = root ?? cache;
    const specs = FILES[this.train ? "train" : "test"];
    const read = async (spec: FileSpec): Promise<IdxArray> => {
      const found = await findFile(folders, spec);
      if (found) {
        this.#files.push(found);
        return readChecked(found, spec);
      }
      if (!download) {
        throw new Error(
          `Cannot find Fashion-MNIST's ${spec.name}(.gz) in ${
            folders.join(", ")
          }: install it (apt-get install dataset-fashion-mnist), set FASHION_MNIST_DIR to a folder holding it, or pass download: true`,
        );
      }
      const path = `${target}/${spec.name}.gz`;
      const failures: string[] = [];
      for (const base of urls) {
        try {
          await downloadFile(`${base}${spec.name}.gz`, path, { onProgress });
          failures.length = 0;
          break;
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
      if (failures.length) throw new Error(failures.join("\n"));
      this.#files.push(path);
      try {
        return await readChecked(path, spec);
      } catch (error) {
        await Deno.remove(path).catch(() => {});
        throw new Error(
          `${
            (error as Error).message
          }\nThe downloaded file was removed: load again to download it again`,
        );
      }
    };
    this.#files = [];
    const images = await read(specs.images);
    const labels = await read(specs.labels);
    const bad = labels.data.findIndex((label) => label >= 10);
    if (bad >= 0) {
      throw new Error(
        `Label ${labels.data[bad]} at index ${bad} of ${
          this.#files[1]
        } is not a class 0-9: the file is corrupt; delete it and load again`,
      );
    }
    this.#images = images.data;
    this.#labels = labels.data;
    return this;
  }

  /** Image `index` (1x28x28 bytes, a view) and its label. */
  get(index: number): Sample {
    const images = this.data;
    checkIndex(index, this.length, "Fashion-MNIST");
    const size = SIDE * SIDE;
    return [
      {
        data: images.subarray(index * size, (index + 1) * size),
        channels: 1,
        height: SIDE,
        width: SIDE,
      },
      this.#labels![index],
    ];
  }
}
