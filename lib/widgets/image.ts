/**
 * Image (@jupyter-widgets/controls 2.0): the encoded bytes (PNG by
 * default) travel as a binary buffer, never as base64 in the JSON.
 *
 * @module
 */
import { controls } from "./model_spec.ts";
import { Widget } from "./widget.ts";
import { type DomOptions, domTraits } from "./layout.ts";
import { bytes, str } from "./traits.ts";

/** Options of {@link Image}. */
export interface ImageOptions extends DomOptions {
  /** The encoded image. */
  value?: Uint8Array;
  /** Its format, the part of the MIME type after `image/` (default "png"). */
  format?: string;
  /** CSS width and height of the view ("" for the image's own). */
  width?: string;
  height?: string;
}

/**
 * An image from encoded bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Image } from "./mod.ts";
 * const img = new Image({ value: new Uint8Array([137, 80, 78, 71]), width: "64px" });
 * assert.equal(img.textForm(), "Image(png, 4 bytes)");
 * ```
 */
export class Image extends Widget {
  declare value: Uint8Array;
  declare format: string;
  declare width: string;
  declare height: string;

  constructor(options: ImageOptions = {}) {
    super(
      controls("Image"),
      {
        ...domTraits(),
        format: str("png"),
        height: str(),
        value: bytes(),
        width: str(),
      },
      options,
    );
  }

  override textForm(): string {
    return `Image(${this.format}, ${this.value.length} bytes)`;
  }
}
