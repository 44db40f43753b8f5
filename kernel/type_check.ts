/**
 * Type diagnostics for a cell, over the cells that ran before it: what a
 * check of the notebook's language service (language_service.ts) reports,
 * located in the cell.
 */
import ts from "typescript";

/** One diagnostic located in the checked cell. */
export interface CellDiagnostic {
  /** TypeScript's code, e.g. 2322. */
  code: number;
  /** The message, its chain flattened onto indented lines. */
  message: string;
  /** 1-based, in the cell. */
  line: number;
  /** 1-based, in UTF-16 units as editors count them. */
  column: number;
}

/**
 * The IPython magics the kernel runs as TypeScript (`%time`, `%%time`) with
 * the magic blanked out, so positions stay those of the cell; null for a
 * cell that is another magic (it never runs).
 *
 * @param code the cell
 * @returns the TypeScript to check, or null
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkedSource } from "./type_check.ts";
 * assert.equal(checkedSource("%%time\nconst a = 1;"), "      \nconst a = 1;");
 * assert.equal(checkedSource("%time f()"), "      f()");
 * assert.equal(checkedSource("%pip install x"), null);
 * assert.equal(checkedSource("const b = 2 % 3;"), "const b = 2 % 3;");
 * ```
 */
export function checkedSource(code: string): string | null {
  const first = code.match(/^[ \t]*(%%?)(\w+)(.*)$/m);
  if (!first || code.slice(0, first.index).trim() !== "") return code;
  const [line, percent, magic] = first;
  if (magic !== "time") return null;
  const start = first.index!;
  // `%%time` takes its whole line; `%time` only the word, its code follows.
  const end = percent === "%%"
    ? start + line.length
    : start + line.indexOf("%") + percent.length + magic.length;
  return code.slice(0, start) + " ".repeat(end - start) + code.slice(end);
}

/**
 * The type errors of a cell at `[start, start + source.length]` of the
 * service's file. A cell that does not parse gets none: the transpiler
 * reports it.
 *
 * @param service the language service, its file holding the cell
 * @param fileName the file
 * @param start where the cell starts in the file
 * @param source the cell, as checkedSource gives it
 * @returns the diagnostics located in the cell, in order
 */
export function cellDiagnostics(
  service: ts.LanguageService,
  fileName: string,
  start: number,
  source: string,
): CellDiagnostic[] {
  const end = start + source.length;
  const inCell = (d: ts.Diagnostic) =>
    d.start !== undefined && d.start >= start && d.start <= end;
  if (service.getSyntacticDiagnostics(fileName).some(inCell)) return [];
  return service.getSemanticDiagnostics(fileName)
    .filter((d) => inCell(d) && d.category === ts.DiagnosticCategory.Error)
    .map((d) => located(source, d.start! - start, d));
}

function located(
  source: string,
  offset: number,
  diagnostic: ts.Diagnostic,
): CellDiagnostic {
  const before = source.slice(0, offset).split("\n");
  return {
    code: diagnostic.code,
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"),
    line: before.length,
    column: before.at(-1)!.length + 1,
  };
}
