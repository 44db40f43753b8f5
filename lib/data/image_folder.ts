/**
 * ImageFolder: a data set of your own images, one subfolder per class, as
 * torchvision's `datasets.ImageFolder`:
 *
 * ```
 * root/cat/001.png
 * root/cat/002.jpg
 * root/dog/001.jpeg
 * ```
 *
 * Classes are the subfolder names in sorted order, labels their indices.
 * PNG is decoded by `fast-png`, JPEG by `jpeg-js` (both pure JavaScript).
 *
 * @module
 */
// deno-lint-ignore no-import-prefix -- pinned npm: specifiers keep lib/ importable from any folder (docs/architecture.md)
import { convertIndexedToRgb, decode as decodePng } from "npm:fast-png@8.0.0";
// deno-lint-ignore no-import-prefix -- pinned npm: specifiers keep lib/ importable from any folder (docs/architecture.md)
import jpeg from "npm:jpeg-js@0.4.4";
import {
  checkIndex,
  type Dataset,
  type ImageBytes,
  type Sample,
} from "./dataset.ts";

/** File name endings ImageFolder reads (case-insensitive). */
export const IMAGE_EXTENSIONS: readonly string[] = [".png", ".jpg", ".jpeg"];

/** Options of {@link ImageFolder}. */
export interface ImageFolderOptions {
  /** Channels of every image: 3 (RGB, default) or 1 (grey). */
  channels?: 1 | 3;
  /**
   * Resize every image to this size on decoding ([height, width], or one
   * number for a square; bilinear). Needed to batch images of different sizes.
   */
  size?: number | readonly [number, number];
}

/** Bytes per channel value -> 8 bits. */
function to8Bit(data: ArrayLike<number>, depth: number): Uint8Array {
  if (depth === 8) return Uint8Array.from(data);
  return Uint8Array.from(data, (v) => v >> 8); // 16-bit PNG
}

/** Pixel-interleaved values (HWC, `from` channels) -> CHW with `to` channels. */
function toChannelsFirst(
  hwc: Uint8Array,
  height: number,
  width: number,
  from: number,
  to: 1 | 3,
): Uint8Array {
  const plane = height * width;
  const out = new Uint8Array(to * plane);
  for (let k = 0; k < plane; k++) {
    const p = k * from;
    // Grey (+ alpha) repeats; RGB(A) keeps the colours; alpha is dropped.
    const r = hwc[p];
    const g = from >= 3 ? hwc[p + 1] : r;
    const b = from >= 3 ? hwc[p + 2] : r;
    if (to === 3) {
      out[k] = r;
      out[plane + k] = g;
      out[2 * plane + k] = b;
    } else {
      out[k] = Math.round(0.2989 * r + 0.587 * g + 0.114 * b);
    }
  }
  return out;
}

/**
 * Decodes a PNG or JPEG file's bytes (the format is read from the bytes).
 *
 * @param bytes The file's content.
 * @param name Names the file in errors.
 * @param channels 3 for RGB, 1 for grey.
 * @throws {Error} Naming the file when it is not a PNG or JPEG or cannot be decoded.
 */
export function decodeImage(
  bytes: Uint8Array,
  name: string,
  channels: 1 | 3 = 3,
): ImageBytes {
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e &&
    bytes[3] === 0x47;
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!isPng && !isJpeg) {
    throw new Error(
      `Cannot read image ${name}: it is not a PNG or JPEG file (its first bytes are ${
        Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0"))
          .join(" ")
      }); remove it from the folder or convert it`,
    );
  }
  try {
    let hwc: Uint8Array;
    let from: number;
    let height: number;
    let width: number;
    if (isPng) {
      const png = decodePng(bytes);
      height = png.height;
      width = png.width;
      if (png.palette) {
        hwc = convertIndexedToRgb(png);
        from = hwc.length / (height * width);
      } else if (png.depth < 8) {
        throw new Error(
          `grey PNGs of ${png.depth} bits per pixel are not supported; save it with 8 bits`,
        );
      } else {
        hwc = to8Bit(png.data, png.depth);
        from = png.channels;
      }
    } else {
      const decoded = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
      });
      height = decoded.height;
      width = decoded.width;
      hwc = decoded.data;
      from = 4;
    }
    return {
      data: toChannelsFirst(hwc, height, width, from, channels),
      channels,
      height,
      width,
    };
  } catch (error) {
    throw new Error(
      `Cannot decode image ${name}: ${
        (error as Error).message
      }; the file is damaged or not a valid ${
        isPng ? "PNG" : "JPEG"
      }: remove or replace it`,
    );
  }
}

/** Bilinear resize of CHW bytes (align_corners=False, as Resize on the GPU). */
export function resizeBytes(
  image: ImageBytes,
  height: number,
  width: number,
): ImageBytes {
  if (image.height === height && image.width === width) return image;
  const { channels, data } = image;
  const out = new Uint8Array(channels * height * width);
  const source = (dst: number, inSize: number, outSize: number) => {
    const real = Math.max((dst + 0.5) * inSize / outSize - 0.5, 0);
    const lower = Math.floor(real);
    return [lower, Math.min(lower + 1, inSize - 1), real - lower];
  };
  for (let y = 0; y < height; y++) {
    const [y0, y1, ly] = source(y, image.height, height);
    for (let x = 0; x < width; x++) {
      const [x0, x1, lx] = source(x, image.width, width);
      for (let c = 0; c < channels; c++) {
        const base = c * image.height * image.width;
        const at = (row: number, col: number) =>
          data[base + row * image.width + col];
        const top = at(y0, x0) * (1 - lx) + at(y0, x1) * lx;
        const bottom = at(y1, x0) * (1 - lx) + at(y1, x1) * lx;
        out[(c * height + y) * width + x] = Math.round(
          top * (1 - ly) + bottom * ly,
        );
      }
    }
  }
  return { data: out, channels, height, width };
}

function listDir(path: string): Deno.DirEntry[] {
  return [...Deno.readDirSync(path)].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  );
}

/**
 * A data set of the PNG and JPEG images under `root/<class>/`, decoded when
 * an item is read (files in other formats are skipped by name; a file with
 * an image name that does not decode is an error naming it).
 *
 * @example
 * ```ts ignore
 * const pets = new ImageFolder("my_pets", { size: 64 });
 * console.log(pets.classes, pets.length);
 * const [image, label] = pets.get(0); // image: 3x64x64 bytes
 * ```
 */
export class ImageFolder implements Dataset {
  /** Class names: the subfolders, sorted. */
  readonly classes: readonly string[];
  /** Class name -> label. */
  readonly classToIndex: Readonly<Record<string, number>>;
  /** Every image's path and label, by class then file name. */
  readonly samples: readonly (readonly [path: string, label: number])[];
  /** Channels of every image: 1 or 3. */
  readonly channels: 1 | 3;
  #size: [number, number] | undefined;

  /**
   * Lists the images under `root`.
   *
   * @throws {Error} When `root` is missing, has no class subfolders, or
   * they hold no images.
   */
  constructor(readonly root: string, options: ImageFolderOptions = {}) {
    this.channels = options.channels ?? 3;
    const size = options.size;
    this.#size = size === undefined
      ? undefined
      : typeof size === "number"
      ? [size, size]
      : [size[0], size[1]];
    let entries: Deno.DirEntry[];
    try {
      entries = listDir(root);
    } catch (error) {
      throw new Error(
        `Cannot open image folder ${root}: ${
          (error as Error).message
        }. Give the path of a folder with one subfolder per class`,
      );
    }
    const classes = entries.filter((e) =>
      e.isDirectory && !e.name.startsWith(".")
    )
      .map((e) => e.name);
    if (classes.length === 0) {
      throw new Error(
        `Image folder ${root} has no class subfolders: put each class's images in root/<class name>/`,
      );
    }
    const samples: [string, number][] = [];
    classes.forEach((name, label) => {
      for (const file of listDir(`${root}/${name}`)) {
        const lower = file.name.toLowerCase();
        if (
          file.isFile && IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext))
        ) samples.push([`${root}/${name}/${file.name}`, label]);
      }
    });
    if (samples.length === 0) {
      throw new Error(
        `Image folder ${root} has no images: its class subfolders (${
          classes.join(", ")
        }) hold no ${IMAGE_EXTENSIONS.join(" / ")} files`,
      );
    }
    this.classes = classes;
    this.classToIndex = Object.fromEntries(classes.map((c, i) => [c, i]));
    this.samples = samples;
  }

  /** Number of images. */
  get length(): number {
    return this.samples.length;
  }

  /** Image `index`, decoded (and resized when `size` was given), and its label. */
  get(index: number): Sample {
    checkIndex(index, this.length, `image folder ${this.root}`);
    const [path, label] = this.samples[index];
    let bytes: Uint8Array;
    try {
      bytes = Deno.readFileSync(path);
    } catch (error) {
      throw new Error(`Cannot read image ${path}: ${(error as Error).message}`);
    }
    const image = decodeImage(bytes, path, this.channels);
    return [
      this.#size ? resizeBytes(image, ...this.#size) : image,
      label,
    ];
  }
}
