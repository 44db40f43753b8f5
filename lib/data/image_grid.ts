/**
 * Seeing a batch: a grid of images as a PNG, with captions, that renders
 * itself in a notebook.
 *
 * @module
 */
// deno-lint-ignore no-import-prefix -- pinned npm: specifiers keep lib/ importable from any folder (docs/architecture.md)
import { encode as encodePng } from "npm:fast-png@8.0.0";
import type { Tensor } from "../tensor.ts";
import { DISPLAY, escapeHtml, type MimeBundle } from "../display.ts";

/** Options of {@link imageGrid}. */
export interface ImageGridOptions {
  /** A caption per image: class indices (with `classes`), or strings. */
  labels?: Tensor | ArrayLike<number> | readonly string[];
  /** Names of the class indices in `labels`. */
  classes?: readonly string[];
  /** Images per row (default 8). */
  nrow?: number;
  /** Pixels between images (default 2). */
  padding?: number;
  /** Pixels per image pixel (default: enough to make small images about 84 pixels). */
  scale?: number;
  /** Stretch the batch's value range to [0, 1] first, for normalised batches (default false: clamp to [0, 1]). */
  normalize?: boolean;
  /** At most this many images are drawn (default 64). */
  maxImages?: number;
}

/** Base64 of bytes, in chunks (String.fromCharCode has an argument limit). */
export function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** A rendered grid: the PNG, its size and the captions; displays itself. */
export class ImageGrid {
  /**
   * Made by {@link imageGrid}.
   *
   * @param png The grid as PNG bytes.
   * @param cells Each image alone as PNG bytes (for the HTML figure).
   */
  constructor(
    readonly png: Uint8Array,
    readonly width: number,
    readonly height: number,
    readonly captions: readonly string[],
    readonly cells: readonly Uint8Array[],
    readonly cellSize: readonly [number, number],
    readonly nrow: number,
  ) {}

  /** A MIME bundle: the grid PNG, and an HTML figure of the images with their captions. */
  [DISPLAY](): MimeBundle {
    const [h, w] = this.cellSize;
    const figures = this.cells.map((cell, i) =>
      `<figure style="margin:0;text-align:center"><img src="data:image/png;base64,${
        toBase64(cell)
      }" width="${w}" height="${h}" style="image-rendering:pixelated"/>${
        this.captions[i] !== undefined
          ? `<figcaption style="font:11px sans-serif">${
            escapeHtml(this.captions[i])
          }</figcaption>`
          : ""
      }</figure>`
    ).join("");
    return {
      "image/png": toBase64(this.png),
      "text/html":
        `<div style="display:grid;grid-template-columns:repeat(${this.nrow},max-content);gap:4px">${figures}</div>`,
      "text/plain":
        `ImageGrid(${this.cells.length} images, ${this.width}x${this.height})`,
    };
  }
}

/**
 * Draws a batch [N, C, H, W] (C = 1 or 3; values in [0, 1]) as a grid, as
 * torchvision's `make_grid` + `save_image`, with a caption under each image
 * in the notebook. Reading the batch back makes it async.
 *
 * @example
 * ```ts ignore
 * const [images, labels] = await first(loader);
 * await imageGrid(images, { labels, classes: FashionMNIST.classes }); // last line of a cell: displays
 * ```
 * @throws {TypeError} For a tensor that is not a batch of 1- or 3-channel images.
 */
export async function imageGrid(
  images: Tensor,
  options: ImageGridOptions = {},
): Promise<ImageGrid> {
  if (images.ndim !== 4 || (images.shape[1] !== 1 && images.shape[1] !== 3)) {
    throw new TypeError(
      `Cannot draw a tensor of shape [${images.shape}] as images: give a batch [N, C, H, W] with C = 1 (grey) or 3 (RGB)`,
    );
  }
  const [total, channels, height, width] = images.shape;
  const n = Math.min(total, options.maxImages ?? 64);
  const nrow = Math.max(1, Math.min(options.nrow ?? 8, n));
  const padding = options.padding ?? 2;
  const scale = options.scale ??
    Math.max(1, Math.round(84 / Math.max(height, width)));
  const values = (await images.data()).subarray(
    0,
    n * channels * height * width,
  );
  let low = 0;
  let high = 1;
  if (options.normalize) {
    low = Infinity;
    high = -Infinity;
    for (const v of values) low = Math.min(low, v), high = Math.max(high, v);
    if (high <= low) high = low + 1;
  }
  const byte = (v: number) =>
    Math.round(255 * Math.min(1, Math.max(0, (v - low) / (high - low))));

  const cellH = height * scale;
  const cellW = width * scale;
  const rows = Math.ceil(n / nrow);
  const gridW = nrow * cellW + (nrow + 1) * padding;
  const gridH = rows * cellH + (rows + 1) * padding;
  const grid = new Uint8Array(gridW * gridH * 3);
  const cells: Uint8Array[] = [];
  const plane = height * width;
  for (let i = 0; i < n; i++) {
    const cell = new Uint8Array(cellH * cellW * 3);
    const x0 = padding + (i % nrow) * (cellW + padding);
    const y0 = padding + Math.floor(i / nrow) * (cellH + padding);
    for (let y = 0; y < cellH; y++) {
      for (let x = 0; x < cellW; x++) {
        const k = Math.floor(y / scale) * width + Math.floor(x / scale);
        for (let c = 0; c < 3; c++) {
          const v = byte(
            values[(i * channels + (channels === 3 ? c : 0)) * plane + k],
          );
          cell[(y * cellW + x) * 3 + c] = v;
          grid[((y0 + y) * gridW + x0 + x) * 3 + c] = v;
        }
      }
    }
    cells.push(
      encodePng({ width: cellW, height: cellH, data: cell, channels: 3 }),
    );
  }

  let captions: string[] = [];
  const labels = options.labels;
  if (labels !== undefined) {
    const list = "shape" in labels
      ? Array.from(await (labels as Tensor).data())
      : Array.from(labels as ArrayLike<number | string>);
    captions = list.slice(0, n).map((label) =>
      typeof label === "string"
        ? label
        : options.classes?.[Math.round(label)] ?? String(label)
    );
  }
  const png = encodePng({
    width: gridW,
    height: gridH,
    data: grid,
    channels: 3,
  });
  return new ImageGrid(
    png,
    gridW,
    gridH,
    captions,
    cells,
    [cellH, cellW],
    nrow,
  );
}
