/**
 * The cells that ran, as the language service sees them (type checks,
 * completion, signature help, quick info): one TypeScript text in run order,
 * each cell followed by SEPARATOR, with redeclarations resolved as the
 * executor resolves them.
 *
 * Which cells join, in one place:
 * - the kernel adds a cell after it ran with `store_history` (checked_run.ts
 *   calls `addRanCell`), also one that failed at run time: what it declared
 *   before the error exists in the executor. A cell stopped by its type check
 *   never ran and is not added; neither are `name?` pager requests;
 * - `%time` and `%%time` cells join with the magic blanked (checkedSource in
 *   type_check.ts); other magics never run TypeScript and are left out;
 * - a cell that does not parse never ran (the transpiler refused it) and is
 *   left out, so an unclosed brace cannot swallow the cells after it;
 * - a cell that runs again with the same text replaces its earlier copy. An
 *   edited cell is a new cell: what only its earlier version declared still
 *   exists in the executor, so the earlier version stays.
 *
 * Redeclaration: the executor evaluates cells in V8's REPL mode, where a later
 * cell may declare `const x` again and the new binding replaces the old one.
 * In one TypeScript file that is an error (TS2451) and the old type would win,
 * so when a cell declares a name that an earlier cell declared, the earlier
 * cell's binding is renamed throughout that cell (`x` becomes
 * `__kernelShadowed<n>_x`, a name completion leaves out): the earlier cell
 * keeps its own meaning, and later cells see the new binding, as the session
 * does.
 */
import ts from "typescript";
import { checkedSource } from "./type_check.ts";

/** The prefix of renamed declarations (completion drops `__kernel` names). */
export const SHADOWED_PREFIX = "__kernelShadowed";

/**
 * What follows each cell: a new line ends a line comment, and the semicolon
 * keeps a cell ending in an expression apart from a next one that starts
 * with `(` or `[`.
 */
export const SEPARATOR = "\n;\n";

/** One cell that ran. */
interface Entry {
  /** As added (the key for a re-run). */
  added: string;
  /** Its text in the history, shadowed names renamed. */
  text: string;
  /** The names it declares at top level. */
  names: Set<string>;
}

/** The cells that ran, in order, without conflicting declarations. */
export class CellHistory {
  #entries: Entry[] = [];
  #serial = 0;
  #text = "";
  #starts: number[] = [];

  /** How many cells the history holds. */
  get size(): number {
    return this.#entries.length;
  }

  /** All cells as one text, each followed by SEPARATOR. */
  get text(): string {
    return this.#text;
  }

  /**
   * Adds a cell that ran. Earlier declarations of the names it declares are
   * renamed; an earlier run of the same cell is dropped.
   *
   * @param code the cell as the user wrote it
   * @returns false when the cell is left out (another magic, empty, does not parse)
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CellHistory } from "./cell_history.ts";
   *
   * const history = new CellHistory();
   * history.add("const t = 1;");
   * assert.equal(history.add("function broken() {"), false);
   * history.add('const t = "text";');
   * history.add('const t = "text";'); // run again: replaces its copy
   * assert.equal(
   *   history.text,
   *   'const __kernelShadowed2_t = 1;\n;\nconst t = "text";\n;\n',
   * );
   * ```
   */
  add(code: string): boolean {
    const source = checkedSource(code);
    if (source === null || source.trim() === "" || !parses(source)) {
      return false;
    }
    const names = declaredNames(parse(source));
    const serial = ++this.#serial;
    this.#entries = this.#others(source).map((entry) =>
      shadow(entry, names, serial)
    );
    this.#entries.push({ added: source, text: source, names });
    this.#join();
    return true;
  }

  /**
   * The history as one text for checking `source`: as if it ran now (an
   * earlier copy dropped, shadowed names renamed as `add` will rename them),
   * without keeping it. Followed by `source` and SEPARATOR it is the text
   * `text` will be once the cell is added, so the program a check builds is
   * the one completion asks next.
   *
   * @param source the cell about to run, as checkedSource gives it
   * @returns the earlier cells' text, ending with a separator
   */
  before(source: string): string {
    const names = declaredNames(parse(source));
    const serial = this.#serial + 1;
    return this.#others(source)
      .map((entry) => shadow(entry, names, serial).text + SEPARATOR)
      .join("");
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

  #others(source: string): Entry[] {
    return this.#entries.filter((entry) => entry.added !== source);
  }

  #join(): void {
    this.#starts = [];
    let text = "";
    for (const entry of this.#entries) {
      this.#starts.push(text.length);
      text += entry.text + SEPARATOR;
    }
    this.#text = text;
  }
}

function parse(text: string): ts.SourceFile {
  return ts.createSourceFile("cell.ts", text, ts.ScriptTarget.ESNext, true);
}

function parses(source: string): boolean {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ESNext);
  // The parser's own list; the public route (a Program) costs far more.
  return ((file as unknown as { parseDiagnostics: unknown[] })
    .parseDiagnostics ?? []).length === 0;
}

/**
 * The names a cell declares at top level: variables (also in destructuring
 * patterns), functions, classes, enums, interfaces, type aliases, namespaces
 * and imports.
 *
 * @param file the parsed cell
 * @returns the names
 */
export function declaredNames(file: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const bind = (name: ts.BindingName | ts.ModuleName | undefined) => {
    if (!name) return;
    if (ts.isIdentifier(name)) names.add(name.text);
    else if (
      ts.isObjectBindingPattern(name) || ts.isArrayBindingPattern(name)
    ) {
      for (const element of name.elements) {
        if (ts.isBindingElement(element)) bind(element.name);
      }
    }
  };
  for (const statement of file.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        bind(declaration.name);
      }
    } else if (
      ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) ||
      ts.isEnumDeclaration(statement) || ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      ts.isModuleDeclaration(statement) ||
      ts.isImportEqualsDeclaration(statement)
    ) {
      bind(statement.name);
    } else if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause;
      bind(clause.name);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) bind(bindings.name);
      else for (const element of bindings?.elements ?? []) bind(element.name);
    }
  }
  return names;
}

function shadow(entry: Entry, names: Set<string>, serial: number): Entry {
  const clashes = [...entry.names].filter((name) => names.has(name));
  if (clashes.length === 0) return entry;
  const renames = new Map(
    clashes.map((name) => [name, `${SHADOWED_PREFIX}${serial}_${name}`]),
  );
  return {
    added: entry.added,
    text: renameIdentifiers(entry.text, renames),
    names: new Set([...entry.names].map((name) => renames.get(name) ?? name)),
  };
}

/**
 * Renames every identifier of the given names in a cell, except where the
 * identifier names a property (`a.x`, `{ x: 1 }`, a class member): a cell's
 * own meaning is kept because each name is replaced everywhere it binds or
 * refers, including inner scopes that reuse it. Where one identifier is both
 * the property and the binding (`{ x }`, `import { x }`, `export { x }`) the
 * property keeps its name.
 *
 * @param text the cell
 * @param renames old name to new name
 * @returns the renamed cell
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renameIdentifiers } from "./cell_history.ts";
 * assert.equal(
 *   renameIdentifiers('import { x } from "m"; const { y } = o; x.y;', new Map([["x", "x1"], ["y", "y1"]])),
 *   'import { x as x1 } from "m"; const { y: y1 } = o; x1.y;',
 * );
 * ```
 */
export function renameIdentifiers(
  text: string,
  renames: Map<string, string>,
): string {
  const file = parse(text);
  const edits: { start: number; end: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      const renamed = renames.get(node.text);
      if (renamed !== undefined) {
        const edit = renameAt(node, renamed);
        if (edit !== null) {
          edits.push({ start: node.getStart(file), end: node.end, text: edit });
        }
      }
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let out = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  }
  return out;
}

/** The replacement text for one identifier, or null where it names a property. */
function renameAt(node: ts.Identifier, renamed: string): string | null {
  const parent = node.parent;
  const old = node.text;
  // `{ x }` in an object literal and in a destructuring pattern keep the
  // property name and bind (or read) the renamed variable.
  if (ts.isShorthandPropertyAssignment(parent) && parent.name === node) {
    return `${old}: ${renamed}`;
  }
  if (
    ts.isBindingElement(parent) && parent.name === node &&
    !parent.propertyName && ts.isObjectBindingPattern(parent.parent)
  ) {
    return parent.dotDotDotToken ? renamed : `${old}: ${renamed}`;
  }
  if (ts.isImportSpecifier(parent)) {
    if (parent.propertyName === node) return null;
    return parent.propertyName ? renamed : `${old} as ${renamed}`;
  }
  if (ts.isExportSpecifier(parent)) {
    if (parent.propertyName) {
      return parent.propertyName === node ? renamed : null;
    }
    return `${renamed} as ${old}`;
  }
  const isPropertyName =
    (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
    (ts.isQualifiedName(parent) && parent.right === node) ||
    (ts.isBindingElement(parent) && parent.propertyName === node) ||
    (ts.isImportTypeNode(parent) && parent.qualifier === node) ||
    (ts.isMetaProperty(parent) && parent.name === node) ||
    (ts.isPropertyAssignment(parent) && parent.name === node) ||
    (ts.isEnumMember(parent) && parent.name === node) ||
    (ts.isNamedTupleMember(parent) && parent.name === node) ||
    ((ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent) ||
      ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent) ||
      ts.isGetAccessorDeclaration(parent) ||
      ts.isSetAccessorDeclaration(parent)) && parent.name === node) ||
    ts.isJsxAttribute(parent);
  return isPropertyName ? null : renamed;
}
