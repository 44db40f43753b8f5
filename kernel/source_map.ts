/**
 * Just enough of source maps (v3) to turn a position in a transpiled cell
 * back into the cell's own line and column: decode the VLQ mappings of one
 * file, then look a position up. Spec: https://sourcemaps.info/spec.html
 */

/** One mapping segment: [generated column, source line, source column], all 0-based. */
export type Segment = [number, number, number];

/** Segments per generated line, sorted by generated column. */
export type LineMap = Segment[][];

const BASE64 =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Decodes the `mappings` field of a single-source map.
 *
 * @param mappings the VLQ string
 * @returns segments per generated line
 */
export function decodeMappings(mappings: string): LineMap {
  const lines: LineMap = [];
  let sourceLine = 0;
  let sourceColumn = 0;
  for (const lineText of mappings.split(";")) {
    const segments: Segment[] = [];
    let generatedColumn = 0; // resets on each generated line; the others carry over
    for (const segmentText of lineText.split(",")) {
      if (segmentText === "") continue;
      const fields = decodeVlq(segmentText);
      generatedColumn += fields[0];
      if (fields.length >= 4) {
        sourceLine += fields[2];
        sourceColumn += fields[3];
        segments.push([generatedColumn, sourceLine, sourceColumn]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

/**
 * Maps a generated position to the source position of the nearest segment at
 * or before it on the same line (or the line's first segment).
 *
 * @param map the decoded map
 * @param line 1-based generated line, as stack traces print it
 * @param column 1-based generated column
 * @returns the 1-based source line and column, or null when the line has no mapping
 */
export function originalPosition(
  map: LineMap,
  line: number,
  column: number,
): { line: number; column: number } | null {
  const segments = map[line - 1];
  if (!segments || segments.length === 0) return null;
  let best = segments[0];
  for (const segment of segments) {
    if (segment[0] <= column - 1) best = segment;
    else break;
  }
  const offset = best[0] <= column - 1 ? column - 1 - best[0] : 0;
  return { line: best[1] + 1, column: best[2] + offset + 1 };
}

function decodeVlq(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = BASE64.indexOf(char);
    if (digit < 0) {
      throw new SyntaxError(`Invalid base64 digit in source map: ${char}`);
    }
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      // The lowest bit is the sign.
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}
