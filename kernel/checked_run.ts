/**
 * A cell's run with its type check (the notebook's language service, see
 * language_client.ts), as `deno run` and `deno check` treat type errors:
 *
 * - mode "warn" (the default): the cell starts at once while the check runs
 *   beside it; the diagnostics arrive as a warning stream on stderr, before
 *   the cell's reply;
 * - mode "error": the cell waits for its check, and a type error stops it
 *   with an error reply naming the code, line and column;
 * - in either mode, importing a name the module does not export is an error
 *   (the cell would otherwise get `undefined` silently): a cell with imports
 *   waits for its check.
 *
 * Every cell run with `store_history` passes here, checked or not (mode
 * "off"): those that ran (also those that failed at run time) join the
 * language service's history (the rules: cell_history.ts); a cell stopped by
 * its check did not run and does not.
 */
import type { Evaluation } from "./agent_protocol.ts";
import type { ExecuteContext } from "./handler_context.ts";
import type { CellDiagnostic } from "./type_check.ts";
import { CHECK_MODE_VARIABLE, type CheckOutcome } from "./check_mode.ts";
import type { Message } from "./wire.ts";

/** Diagnostics of an import of a name the module does not export (or has no default). */
export const IMPORT_ERRORS: ReadonlySet<number> = new Set([
  1192, // Module has no default export.
  2305, // Module has no exported member.
  2459, // Module declares it locally, but it is not exported.
  2460, // ... it is exported under another name.
  2614, // Module has no exported member (did you mean a default import?).
  2724, // Module has no exported member (did you mean ...?).
]);

// A module that cannot be found fails when the cell runs, with a hint
// (import_hint.ts) the type checker cannot give (2307, 2792); a package
// without type declarations is `any`, as for Deno (7016).
const LEFT_TO_RUN_TIME: ReadonlySet<number> = new Set([2307, 2792, 7016]);

// An import declaration, so the cell must wait for its check. A match in a
// string or a comment only makes it wait.
const HAS_IMPORT = /(?:^|[;}]|\*\/)\s*import\s*(?:type\s+)?[\w$*{"']/m;

/**
 * Runs a cell with its type check, and adds it to the history once it ran.
 *
 * @param kernel what runs code and publishes
 * @param request the execute_request
 * @param code the cell
 * @param name how tracebacks call it, e.g. "In[3]"
 * @param run runs the cell
 * @returns the evaluation, or the type error that stopped the cell
 */
export async function runChecked(
  kernel: ExecuteContext,
  request: Message,
  code: string,
  name: string,
  run: () => Promise<Evaluation>,
): Promise<Evaluation> {
  const checker = kernel.typeChecker;
  if (!checker) {
    const evaluation = await run();
    kernel.addRanCell(code);
    return evaluation;
  }
  const checking = checker.check(code);
  const warn = (diagnostics: CellDiagnostic[]) => {
    if (diagnostics.length === 0) return;
    kernel.publish("stream", {
      name: "stderr",
      text: diagnostics.map(warningLine).join(""),
    }, request);
  };
  if (checker.mode === "error" || HAS_IMPORT.test(code)) {
    const outcome = await checking;
    const found = reported(outcome);
    const blocking = found.filter((d) =>
      checker.mode === "error" || IMPORT_ERRORS.has(d.code)
    );
    warn(found.filter((d) => !blocking.includes(d)));
    if (blocking.length > 0) {
      return typeErrorEvaluation(code, name, blocking);
    }
    if (!outcome.ok && checker.mode === "error") {
      kernel.publish("stream", {
        name: "stderr",
        text: `warning: the cell runs unchecked: ${outcome.reason}\n`,
      }, request);
    }
    const evaluation = await run();
    kernel.addRanCell(code);
    return evaluation;
  }
  const evaluation = run();
  // Awaited below, after the check: until then a rejection must not count as unhandled.
  evaluation.catch(() => {});
  warn(reported(await checking));
  const done = await evaluation;
  kernel.addRanCell(code);
  return done;
}

function reported(outcome: CheckOutcome): CellDiagnostic[] {
  return outcome.ok
    ? outcome.diagnostics.filter((d) => !LEFT_TO_RUN_TIME.has(d.code))
    : [];
}

/**
 * One diagnostic as a warning line (a chained message continues on indented lines).
 *
 * @param diagnostic the diagnostic
 * @returns the text, ending in a new line
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { warningLine } from "./checked_run.ts";
 * assert.equal(
 *   warningLine({ code: 2322, line: 1, column: 7, message: "Type 'string' is not assignable to type 'number'." }),
 *   "warning: TS2322 [line 1, col 7]: Type 'string' is not assignable to type 'number'.\n",
 * );
 * ```
 */
export function warningLine(diagnostic: CellDiagnostic): string {
  return `warning: TS${diagnostic.code} [line ${diagnostic.line}, col ${diagnostic.column}]: ${
    diagnostic.message.replaceAll("\n", "\n  ")
  }\n`;
}

/**
 * The error a cell stopped by its type check answers with: ename the first
 * diagnostic's code (e.g. "TS2322"), each diagnostic in the traceback with
 * its line and a caret, and why the cell did not run.
 *
 * @param code the cell
 * @param name how tracebacks call it
 * @param diagnostics what stops it
 * @returns the error evaluation
 */
export function typeErrorEvaluation(
  code: string,
  name: string,
  diagnostics: CellDiagnostic[],
): Evaluation {
  const lines = code.split("\n");
  const [first] = diagnostics;
  const more = diagnostics.length > 1
    ? ` (and ${diagnostics.length - 1} more)`
    : "";
  const why = diagnostics.every((d) => IMPORT_ERRORS.has(d.code))
    ? "an import of a name the module does not export is an error in every mode"
    : `type errors stop cells when ${CHECK_MODE_VARIABLE}=error (warn reports them and runs the cell)`;
  return {
    type: "done",
    id: "type-check",
    status: "error",
    ename: `TS${first.code}`,
    evalue: `${
      first.message.split("\n")[0]
    } (${name}:${first.line}:${first.column})${more}`,
    traceback: [
      ...diagnostics.flatMap((d) => [
        `TS${d.code} [ERROR]: ${d.message.replaceAll("\n", "\n  ")}`,
        `    at ${name}:${d.line}:${d.column}`,
        "",
        `  ${lines[d.line - 1] ?? ""}`,
        `  ${" ".repeat(d.column - 1)}^`,
        "",
      ]),
      `The cell did not run: ${why}.`,
    ],
  };
}
