/**
 * The display protocol shared with the Jupyter kernel: an object with a
 * method under this symbol returns a MIME bundle (or a promise of one) and
 * renders itself in notebooks. Deno's own kernel uses the same symbol.
 *
 * @module
 */

/** `Symbol.for("Jupyter.display")`, typed so classes can implement it. */
export const DISPLAY: unique symbol = Symbol.for(
  "Jupyter.display",
) as typeof DISPLAY;

/** A MIME bundle: MIME type -> content. */
export type MimeBundle = Record<string, unknown>;

/** Text made safe inside HTML elements and quoted attributes (`&<>"'` as character references). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
