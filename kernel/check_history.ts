/**
 * The cells that ran, as the type checker sees them: one TypeScript text in
 * run order, with redeclarations resolved as the executor resolves them.
 *
 * The executor evaluates cells in V8's REPL mode, where a later cell may
 * declare `const x` again and the new binding replaces the old one. In one
 * TypeScript file that is an error (TS2451) and the old type would win, so
 * when a cell declares a name that an earlier cell declared, the earlier
 * cell's binding is renamed throughout that cell (`x` becomes `x$$1`): the
 * earlier cell keeps its own meaning, and later cells see the new binding.
 * A cell that runs again with the same text replaces its earlier copy. An
 * edited cell is a new cell: what only its earlier version declared still
 * exists in the executor, so the earlier version stays (its redeclared names
 * renamed).
 */
import ts from "typescript";

/** One cell that ran. */
interface Entry {
  text: string;
  /** The names it declares at top level. */
  names: Set<string>;
}

/** The cells that ran, in order, without conflicting declarations. */
export class CheckHistory {
  #entries: Entry[] = [];
  #serial = 0;

  /** How many cells the history holds. */
  get size(): number {
    return this.#entries.length;
  }

  /**
   * Adds a cell that ran. Earlier declarations of the names it declares are
   * renamed; an earlier run of the same cell is dropped.
   *
   * @param text the cell's TypeScript
   */
  add(text: string): void {
    const names = declaredNames(parse(text));
    this.#entries = this.#others(text).map((entry) =>
      shadow(entry, names, ++this.#serial)
    );
    this.#entries.push({ text, names });
  }

  /**
   * The history as one text for checking `text`: as if `text` ran now
   * (earlier copies dropped, shadowed names renamed), without keeping it.
   *
   * @param text the cell about to run
   * @returns the earlier cells' text, ending with a separator
   */
  before(text: string): string {
    const names = declaredNames(parse(text));
    return this.#others(text)
      .map((entry) => shadow(entry, names, 0).text + SEPARATOR)
      .join("");
  }

  #others(text: string): Entry[] {
    return this.#entries.filter((entry) => entry.text !== text);
  }
}

/**
 * What goes between two cells: a new line ends a line comment, and the
 * semicolon keeps a cell ending in an expression apart from a next one that
 * starts with `(` or `[`.
 */
export const SEPARATOR = "\n;\n";

function parse(text: string): ts.SourceFile {
  return ts.createSourceFile("cell.ts", text, ts.ScriptTarget.ESNext, true);
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
  const renames = new Map(clashes.map((name) => [name, `${name}$$${serial}`]));
  const text = renameIdentifiers(entry.text, renames);
  return {
    text,
    names: new Set([...entry.names].map((name) => renames.get(name) ?? name)),
  };
}

/**
 * Renames every identifier of the given names in a cell, except where the
 * identifier names a property (`a.x`, `{ x: 1 }`, a class member): a cell's
 * own meaning is kept because each name is replaced everywhere it binds or
 * refers, including inner scopes that reuse it.
 *
 * @param text the cell
 * @param renames old name to new name
 * @returns the renamed cell
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
