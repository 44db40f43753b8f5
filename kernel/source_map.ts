/**
 * Just enough of source maps (v3) to turn a position in a transpiled cell
 * back into the cell's own line and column, kernel half: decode the VLQ
 * mappings of one file into the LineMap the eval command carries (the
 * executor looks positions up: executor/source_position.ts).
 * Spec: https://sourcemaps.info/spec.html
 */
import type { LineMap, Segment } from "./agent_protocol.ts";

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
