/**
 * Questions about symbols that the language service's completion entries do
 * not answer: what the value before a dot is, which symbol an entry names,
 * what an imported name really is, whether it is internal, its signature.
 * Helpers of language_service.ts over the program's type checker.
 */
import ts from "typescript";

/**
 * The deepest node whose text holds a position.
 *
 * @param file the source file
 * @param position an index into its text
 * @returns the node (the file itself at worst)
 */
export function innermostNode(file: ts.SourceFile, position: number): ts.Node {
  let node: ts.Node = file;
  for (;;) {
    const child: ts.Node | undefined = node.forEachChild((c) =>
      c.getStart(file) <= position && position < c.getEnd() ? c : undefined
    );
    if (!child) return node;
    node = child;
  }
}

/**
 * The type of `value` in `value.partial` around a position.
 *
 * @param node the innermost node there
 * @param position the cursor
 * @param checker the program's checker
 * @returns the apparent type, or null outside a property access
 */
export function receiverType(
  node: ts.Node,
  position: number,
  checker: ts.TypeChecker,
): ts.Type | null {
  for (let at: ts.Node | undefined = node; at; at = at.parent) {
    if (
      ts.isPropertyAccessExpression(at) && at.expression.getEnd() < position
    ) {
      return checker.getApparentType(checker.getTypeAtLocation(at.expression));
    }
  }
  return null;
}

/**
 * The values, types and namespaces in scope, by name (the innermost first).
 *
 * @param node where
 * @param checker the program's checker
 * @returns the symbols by name
 */
export function scopeSymbols(
  node: ts.Node,
  checker: ts.TypeChecker,
): Map<string, ts.Symbol> {
  const symbols = new Map<string, ts.Symbol>();
  const flags = ts.SymbolFlags.Value | ts.SymbolFlags.Type |
    ts.SymbolFlags.Namespace | ts.SymbolFlags.Alias;
  for (const symbol of checker.getSymbolsInScope(node, flags)) {
    if (!symbols.has(symbol.name)) symbols.set(symbol.name, symbol);
  }
  return symbols;
}

/**
 * The symbol an import stands for.
 *
 * @param symbol any symbol
 * @param checker the program's checker
 * @returns what it aliases, or itself
 */
export function aliased(symbol: ts.Symbol, checker: ts.TypeChecker): ts.Symbol {
  if (!(symbol.flags & ts.SymbolFlags.Alias)) return symbol;
  try {
    return checker.getAliasedSymbol(symbol);
  } catch {
    return symbol;
  }
}

/**
 * What an imported name is, which a completion entry calls only "alias".
 *
 * @param symbol the aliased symbol
 * @returns "class", "function", "module", ...
 */
export function symbolType(symbol: ts.Symbol): string {
  const flags = symbol.flags;
  if (flags & ts.SymbolFlags.Class) return "class";
  if (flags & ts.SymbolFlags.Function) return "function";
  if (flags & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule)) {
    return "module";
  }
  if (flags & ts.SymbolFlags.Interface) return "interface";
  if (flags & ts.SymbolFlags.TypeAlias) return "type";
  if (flags & ts.SymbolFlags.Enum) return "enum";
  return "variable";
}

/**
 * Whether a symbol is marked `@internal` in its doc comment: for the
 * library, not for cells.
 *
 * @param symbol the symbol
 * @returns true when a declaration has the tag
 */
export function isInternal(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).some((declaration) =>
    ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === "internal")
  );
}

/**
 * A function's or method's first call signature.
 *
 * @param symbol the symbol
 * @param node where it is used
 * @param checker the program's checker
 * @returns e.g. `(input: Tensor): Tensor`, or undefined for other symbols
 */
export function signatureOf(
  symbol: ts.Symbol,
  node: ts.Node,
  checker: ts.TypeChecker,
): string | undefined {
  if (!(symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Method))) {
    return undefined;
  }
  const signature = checker.getTypeOfSymbolAtLocation(symbol, node)
    .getCallSignatures()[0];
  return signature ? checker.signatureToString(signature) : undefined;
}
