/**
 * Rich display: MIME bundles, the display protocol and the helpers cells use
 * (`html`, `md`, `svg`, `image`, `display`, `clearOutput`).
 *
 * An object renders itself in a notebook when it has a method keyed by
 * `Symbol.for("Jupyter.display")` that returns a MIME bundle (or a promise of
 * one): the symbol Deno's own kernel uses, so objects work in both.
 *
 * This module never talks to sockets: inside the kernel's executor, `display`
 * hands bundles to the sink the executor installs; anywhere else it prints
 * the text/plain part, so library code may call it unconditionally.
 */
import type { MimeBundle } from "../agent_protocol.ts";
import { encodePng } from "./png.ts";

export type { MimeBundle };

/** The display-protocol key. */
export const DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** Anything that renders itself. */
export interface Displayable {
  [DISPLAY](): MimeBundle | Promise<MimeBundle>;
}

/** Options of {@linkcode display}. */
export interface DisplayOptions {
  /** The value is already a MIME bundle. */
  raw?: boolean;
  /** Name this output so later displays can update it. */
  displayId?: string;
  /** Replace the output named displayId (update_display_data) instead of adding one. */
  update?: boolean;
  /** Output metadata, e.g. `{ "image/png": { width: 200 } }`. */
  metadata?: Record<string, unknown>;
}

/** One display request, as the executor's sink receives it. */
export interface DisplayRequest {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  displayId?: string;
  update: boolean;
}

/** Where the executor receives display output (absent outside the kernel). */
export interface DisplaySink {
  /** Sends one output; may resolve once it has left, so later output follows it. */
  display(request: DisplayRequest): void | Promise<void>;
  clearOutput(wait: boolean): void;
}

/** The global key under which the executor installs its {@linkcode DisplaySink}. */
export const SINK_KEY: unique symbol = Symbol.for(
  "deno-webgpu.kernel.sink",
) as never;

/**
 * Whether this code runs in a cell of the deno-webgpu kernel (so `display`
 * reaches a notebook), e.g. to choose a progress display or plain logs.
 *
 * @returns true inside the kernel's executor
 */
export function inKernel(): boolean {
  return SINK_KEY in globalThis;
}

function sink(): DisplaySink | undefined {
  return (globalThis as { [SINK_KEY]?: DisplaySink })[SINK_KEY];
}

/**
 * Whether a value implements the display protocol.
 *
 * @param value anything
 * @returns true when `value[Symbol.for("Jupyter.display")]` is a function
 */
export function isDisplayable(value: unknown): value is Displayable {
  return (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as Partial<Displayable>)[DISPLAY] === "function";
}

/**
 * The MIME bundle of any value: its own when it implements the display
 * protocol, else a plain-text rendering (Deno.inspect, no colour codes).
 *
 * @param value anything
 * @returns the bundle
 * @throws {TypeError} when a display method returns something that is not an object
 */
export async function toMimeBundle(value: unknown): Promise<MimeBundle> {
  if (isDisplayable(value)) {
    const bundle = await value[DISPLAY]();
    if (typeof bundle !== "object" || bundle === null) {
      throw new TypeError(
        `A Jupyter.display method must return a MIME bundle object: got ${typeof bundle}`,
      );
    }
    return bundle;
  }
  return { "text/plain": inspect(value) };
}

/**
 * Plain-text rendering for notebooks.
 *
 * @param value anything
 * @returns Deno.inspect of the value without ANSI colours
 */
export function inspect(value: unknown): string {
  return Deno.inspect(value, {
    colors: false,
    depth: 4,
    iterableLimit: 100,
    strAbbreviateSize: 10_000,
  });
}

/**
 * Shows a value in the current cell's output.
 *
 * @param value a value, a displayable object, a promise of either, or a MIME bundle with `raw`
 * @param options raw bundle, display id for later updates, metadata
 * @returns a promise that resolves once the output is sent
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { display, html, toMimeBundle } from "./display.ts";
 *
 * await display(html`<b>epoch 1</b>`, { displayId: "progress" });
 * await display(html`<b>epoch 2</b>`, { displayId: "progress", update: true });
 * // What a notebook receives for the second one:
 * const bundle = await toMimeBundle(html`<b>epoch 2</b>`);
 * assert.equal(bundle["text/html"], "<b>epoch 2</b>");
 * await assert.rejects(display(1, { update: true }), TypeError);
 * ```
 */
export async function display(
  value: unknown,
  options: DisplayOptions = {},
): Promise<void> {
  const resolved = await value;
  const data = options.raw
    ? resolved as MimeBundle
    : await toMimeBundle(resolved);
  if (options.update && !options.displayId) {
    throw new TypeError(
      "Cannot update a display without a displayId: pass { displayId, update: true }",
    );
  }
  const target = sink();
  if (!target) {
    // Outside the kernel: the text is better than nothing.
    console.log(data["text/plain"] ?? Object.keys(data).join(", "));
    return;
  }
  await target.display({
    data,
    metadata: options.metadata ?? {},
    displayId: options.displayId,
    update: !!options.update,
  });
}

/**
 * Clears the current cell's output.
 *
 * @param options wait: clear only when the next output arrives (no flicker in loops)
 */
export function clearOutput(options: { wait?: boolean } = {}): void {
  sink()?.clearOutput(!!options.wait);
}

/**
 * A displayable made of one MIME type.
 *
 * @param mimeType e.g. "text/html"
 * @param data the payload
 * @param plain the text/plain fallback
 * @returns the displayable
 */
export function mimeObject(
  mimeType: string,
  data: unknown,
  plain?: string,
): Displayable {
  const bundle: MimeBundle = { [mimeType]: data };
  if (plain !== undefined) bundle["text/plain"] = plain;
  return { [DISPLAY]: () => bundle };
}

function joinTemplate(
  strings: TemplateStringsArray | string,
  values: unknown[],
): string {
  if (typeof strings === "string") return strings;
  return strings.reduce(
    (out, text, i) => out + text + (i < values.length ? String(values[i]) : ""),
    "",
  );
}

/**
 * HTML, as a tagged template or a call: `` html`<b>${x}</b>` `` or `html(s)`.
 *
 * @param strings the template (or a string)
 * @param values interpolated values
 * @returns a displayable
 */
export function html(
  strings: TemplateStringsArray | string,
  ...values: unknown[]
): Displayable {
  return mimeObject("text/html", joinTemplate(strings, values));
}

/**
 * Markdown, as a tagged template or a call.
 *
 * @param strings the template (or a string)
 * @param values interpolated values
 * @returns a displayable
 */
export function md(
  strings: TemplateStringsArray | string,
  ...values: unknown[]
): Displayable {
  const text = joinTemplate(strings, values);
  return mimeObject("text/markdown", text, text);
}

/**
 * SVG, as a tagged template or a call.
 *
 * @param strings the template (or a string)
 * @param values interpolated values
 * @returns a displayable
 */
export function svg(
  strings: TemplateStringsArray | string,
  ...values: unknown[]
): Displayable {
  return mimeObject("image/svg+xml", joinTemplate(strings, values));
}

/** A tensor as `image` reads it: a shape and an async read-back of float values in [0, 1]. */
export interface TensorLike {
  shape: readonly number[];
  data(): Promise<ArrayLike<number>>;
}

/**
 * An image from PNG or JPEG bytes, or from a tensor of values in [0, 1]
 * shaped [H, W], [1, H, W], [3, H, W] or [4, H, W] (channels first, as PyTorch).
 *
 * @param source the bytes or tensor
 * @returns a displayable (it reads the tensor back when displayed)
 * @throws {TypeError} for bytes that are neither PNG nor JPEG, or an unsupported shape
 */
export function image(
  source: Uint8Array | ArrayBuffer | TensorLike,
): Displayable {
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) {
    const bytes = new Uint8Array(source);
    const mimeType = imageType(bytes);
    return mimeObject(
      mimeType,
      base64(bytes),
      `<${mimeType}, ${bytes.length} bytes>`,
    );
  }
  const shape = [...source.shape];
  const [channels, height, width] = shape.length === 2
    ? [1, shape[0], shape[1]]
    : shape;
  if (shape.length < 2 || shape.length > 3 || ![1, 3, 4].includes(channels)) {
    throw new TypeError(
      `Cannot show a tensor of shape [${shape}] as an image: expected [H, W] or [C, H, W] with C = 1, 3 or 4`,
    );
  }
  return {
    [DISPLAY]: async () => {
      const values = await source.data();
      // [C, H, W] planes -> interleaved [H, W, C] bytes.
      const pixels = new Uint8Array(height * width * channels);
      for (let c = 0; c < channels; c++) {
        for (let i = 0; i < height * width; i++) {
          pixels[i * channels + c] = Math.round(
            Math.min(1, Math.max(0, values[c * height * width + i])) * 255,
          );
        }
      }
      const png = await encodePng(pixels, width, height, channels as 1 | 3 | 4);
      return {
        "image/png": base64(png),
        "text/plain": `<image ${width}x${height}>`,
      };
    },
  };
}

function imageType(bytes: Uint8Array): string {
  if (
    bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e &&
    bytes[3] === 0x47
  ) return "image/png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return "image/jpeg";
  }
  throw new TypeError(
    `Cannot show these ${bytes.length} bytes as an image: expected PNG or JPEG data`,
  );
}

/**
 * Base64 of bytes, as MIME bundles carry binary data.
 *
 * @param bytes the data
 * @returns the base64 text
 */
export function base64(bytes: Uint8Array): string {
  let text = "";
  // Chunks keep String.fromCharCode's argument list under the engine's limit.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}
