/**
 * Small text and location helpers: Jupyter counts cursor positions in
 * Unicode code points (protocol 5.2+) where JavaScript strings count UTF-16
 * units; relative imports resolve against a folder's file URL.
 */
import { pathToFileURL } from "node:url";

/**
 * The length of a string in code points.
 *
 * @param text the string
 * @returns its code point count
 */
export function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * The JavaScript string index of a cursor given in code points.
 *
 * @param text the string
 * @param cursor the cursor in code points
 * @returns the UTF-16 index
 */
export function toIndex(text: string, cursor: number): number {
  let index = 0;
  let seen = 0;
  for (const char of text) {
    if (seen++ >= cursor) break;
    index += char.length;
  }
  return index;
}

/**
 * A folder as a file URL ending in "/", for resolving relative specifiers
 * (pathToFileURL escapes what a plain "file://" + path would not: "#", "%", "?").
 *
 * @param path an absolute folder path
 * @returns e.g. "file:///home/me/notebooks/"
 */
export function folderUrl(path: string): string {
  const url = pathToFileURL(path).href;
  return url.endsWith("/") ? url : `${url}/`;
}
