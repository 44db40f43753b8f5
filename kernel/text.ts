/**
 * Jupyter counts cursor positions in Unicode code points (protocol 5.2+);
 * JavaScript strings count UTF-16 units. These convert.
 */

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
