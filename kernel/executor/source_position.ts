/**
 * Source positions in the executor: a position in a transpiled cell back to
 * the cell's own line and column, through the LineMap the kernel decoded
 * (kernel/source_map.ts) and sent with the eval command.
 */
import type { LineMap } from "../agent_protocol.ts";

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
