/**
 * A clearer error for the course's most common failed import: a notebook
 * opened outside the project's notebooks/ folder, whose `../lib/mod.ts` then
 * points nowhere. Deno only says `Module not found "file:///x/lib/mod.ts"`;
 * this adds where the library is and the two ways to reach it.
 */
import type { Evaluation } from "./agent_protocol.ts";

const LIBRARY = new URL("../lib/mod.ts", import.meta.url);

/**
 * The evaluation, with a hint added when it failed to import a lib/mod.ts.
 *
 * @param evaluation what the executor answered
 * @returns the same evaluation, or one whose message says what to do
 */
export function withImportHint(evaluation: Evaluation): Evaluation {
  if (evaluation.status !== "error") return evaluation;
  const missing = evaluation.evalue.match(
    /Module not found "(file:\/\/[^"]*\/lib\/mod\.ts)"/,
  );
  if (!missing) return evaluation;
  const path = new URL(missing[1]).pathname;
  const hint =
    `${path} does not exist: this notebook imports the course library relative to its folder, ` +
    `and the library is at ${LIBRARY.pathname}. Open the notebook from the project's notebooks/ folder, ` +
    `or import it by path: import * as torch from "${LIBRARY.pathname}"`;
  return {
    ...evaluation,
    evalue: `${evaluation.evalue} ${hint}`,
    traceback: [...evaluation.traceback, "", hint],
  };
}
