/**
 * The inputs (and text results) of this kernel's cells, for history_request.
 * Kept for the kernel's lifetime: session 0 means "this session" in replies
 * (spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html#history).
 */

/** One history entry: [session, line number, input] or with output. */
export type HistoryEntry = [number, number, string] | [
  number,
  number,
  [string, string | null],
];

/** The requested slice of history, as history_request asks. */
export interface HistoryQuery {
  hist_access_type?: "range" | "tail" | "search";
  output?: boolean;
  raw?: boolean;
  session?: number;
  start?: number;
  stop?: number;
  n?: number;
  pattern?: string;
  unique?: boolean;
}

/** The history of one kernel. */
export class History {
  readonly #cells: { count: number; input: string; output: string | null }[] =
    [];

  /**
   * Records a stored cell.
   *
   * @param count its execution count
   * @param input its code
   */
  add(count: number, input: string): void {
    this.#cells.push({ count, input, output: null });
  }

  /**
   * Records the text/plain result of the cell with this count.
   *
   * @param count the execution count
   * @param output the text
   */
  setOutput(count: number, output: string): void {
    const cell = this.#cells.findLast((c) => c.count === count);
    if (cell) cell.output = output;
  }

  /**
   * Answers a history query.
   *
   * @param query the request's content
   * @returns the entries
   */
  query(query: HistoryQuery): HistoryEntry[] {
    let cells = this.#cells;
    switch (query.hist_access_type ?? "tail") {
      case "tail":
        cells = cells.slice(-Math.max(0, query.n ?? 10));
        break;
      case "range": {
        // Counts start at 1; a negative start counts from the end.
        const start = query.start ?? 1;
        const stop = query.stop ?? Infinity;
        cells = cells.filter((c) =>
          c.count >= (start < 0 ? cells.length + start + 1 : start) &&
          c.count < stop
        );
        break;
      }
      case "search": {
        const pattern = globToRegExp(query.pattern ?? "*");
        cells = cells.filter((c) => pattern.test(c.input));
        if (query.unique) {
          const seen = new Set<string>();
          cells = cells.filter((c) => !seen.has(c.input) && seen.add(c.input));
        }
        if (query.n !== undefined) cells = cells.slice(-query.n);
        break;
      }
    }
    return cells.map((c): HistoryEntry =>
      query.output ? [0, c.count, [c.input, c.output]] : [0, c.count, c.input]
    );
  }
}

// IPython's search patterns are globs: * any run, ? one character.
function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll(
    "*",
    "[\\s\\S]*",
  ).replaceAll("?", ".");
  return new RegExp(`^${escaped}$`);
}
