/**
 * The cells run so far as one TypeScript text for the language service.
 * Each cell is a statement list of its own (`;` between), so declarations
 * stay visible to later cells. A cell that declares a name again (a cell run
 * twice, `const t = ...` in two cells: the kernel allows both) shadows the
 * earlier declaration, which is renamed `__kernelShadowed<n>_<name>`: the
 * service then sees the latest type, as the running session does, instead of
 * a "Cannot redeclare" error and the first type. A cell that does not parse
 * never ran and is left out, so an unclosed brace cannot swallow the cells
 * after it.
 */
import ts from "typescript";

/** The prefix of renamed declarations (completion drops `__kernel` names). */
export const SHADOWED_PREFIX = "__kernelShadowed";

/**
 * An identifier's span, and what a renamed one is preceded by where the name
 * also says what is taken: `import { name as ... }`, `const { name: ... }`.
 */
type Span = [start: number, end: number, keep: "" | " as " | ": "];

interface Cell {
  code: string;
  /** Top-level declared names with the spans of their identifiers. */
  declared: Map<string, Span[]>;
}

/** The cells run so far. */
export class CellHistory {
  #cells: Cell[] = [];
  #text = "";
  #starts: number[] = [];
  #renamed = 0;

  /** All cells as one text, each followed by a line with `;`. */
  get text(): string {
    return this.#text;
  }

  /**
   * Adds a cell that ran.
   *
   * @param code the cell's TypeScript
   * @returns false when the cell does not parse (it is left out)
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CellHistory } from "./cell_history.ts";
   *
   * const history = new CellHistory();
   * history.add("const t = 1;");
   * history.add("function broken() {"); // left out
   * history.add('const t = "text";');
   * assert.equal(
   *   history.text,
   *   'const __kernelShadowed1_t = 1;\n;\nconst t = "text";\n;\n',
   * );
   * ```
   */
  add(code: string): boolean {
    const parsed = ts.transpileModule(code, {
      reportDiagnostics: true,
      compilerOptions: { target: ts.ScriptTarget.ESNext, noLib: true },
    });
    if (parsed.diagnostics?.length) return false;
    const cell = { code, declared: topLevelNames(code) };
    for (const earlier of this.#cells) this.#shadow(earlier, cell.declared);
    this.#cells.push(cell);
    this.#join();
    return true;
  }

  /**
   * Where the cell holding a position of `text` starts (`text.length` for a
   * position past the cells: the cell being typed, appended to them).
   *
   * @param position an index into `text`
   * @returns the index its cell starts at
   */
  cellStart(position: number): number {
    if (position >= this.#text.length) return this.#text.length;
    return this.#starts.findLast((start) => start <= position) ?? 0;
  }

  // Renames the declarations of an earlier cell that a later one declares again.
  #shadow(cell: Cell, later: Map<string, unknown>): void {
    const spans = [...cell.declared].filter(([name]) => later.has(name))
      .flatMap(([name, at]) =>
        at.map(([start, end, keep]) => ({ name, start, end, keep }))
      )
      .sort((a, b) => b.start - a.start);
    if (spans.length === 0) return;
    let code = cell.code;
    for (const { name, start, end, keep } of spans) {
      const renamed = `${SHADOWED_PREFIX}${++this.#renamed}_${name}`;
      // `import { randn }` keeps naming the module's export, `{ a } = o` o.a.
      const text = keep === "" ? renamed : `${name}${keep}${renamed}`;
      code = `${code.slice(0, start)}${text}${code.slice(end)}`;
    }
    cell.code = code;
    cell.declared = topLevelNames(code);
  }

  #join(): void {
    this.#starts = [];
    let text = "";
    for (const cell of this.#cells) {
      this.#starts.push(text.length);
      text += `${cell.code}\n;\n`;
    }
    this.#text = text;
  }
}

// The names a cell declares at its top level, with their identifiers' spans.
function topLevelNames(code: string): Map<string, Span[]> {
  const file = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.ESNext);
  const names = new Map<string, Span[]>();
  const add = (name: ts.Node | undefined, keep: Span[2] = "") => {
    if (!name) return;
    if (ts.isIdentifier(name)) {
      const spans = names.get(name.text) ?? [];
      spans.push([name.getStart(file), name.getEnd(), keep]);
      names.set(name.text, spans);
    } else if (ts.isObjectBindingPattern(name)) {
      for (const element of name.elements) {
        const shorthand = element.propertyName === undefined &&
          element.dotDotDotToken === undefined;
        add(element.name, shorthand ? ": " : "");
      }
    } else if (ts.isArrayBindingPattern(name)) {
      for (const element of name.elements) {
        if (ts.isBindingElement(element)) add(element.name);
      }
    }
  };
  for (const statement of file.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        add(declaration.name);
      }
    } else if (
      ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) ||
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)
    ) {
      add(statement.name);
    } else if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause;
      add(clause.name);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) add(bindings.name);
      else if (bindings) {
        for (const element of bindings.elements) {
          add(element.name, element.propertyName === undefined ? " as " : "");
        }
      }
    }
  }
  return names;
}
