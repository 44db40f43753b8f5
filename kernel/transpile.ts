/**
 * Turns a TypeScript cell into JavaScript that V8's REPL mode can evaluate:
 *
 * - types are stripped by the real TypeScript compiler (`transpileModule`);
 * - static imports become `const {...} = await import(...)`, because an
 *   evaluated script cannot hold import declarations; relative specifiers
 *   resolve against the notebook's folder, since the script has no URL;
 * - `export` modifiers are dropped (a cell is not a module);
 * - every `await x` becomes `await __kernelAwait(x)`, the hook that lets an
 *   interrupt stop an async loop at its next await;
 * - a source map brings error positions back to the cell's own lines.
 *
 * The last expression's value is whatever REPL mode reports as the script's
 * completion value, so no rewriting is needed for it.
 */
import ts from "typescript";
import { decodeMappings } from "./source_map.ts";
import {
  AWAIT_HOOK,
  type LineMap,
  RESOLVE_HOOK,
  resolveSpecifier,
} from "./agent_protocol.ts";

/** A cell ready to evaluate. */
export interface TranspiledCell {
  ok: true;
  /** JavaScript for Runtime.evaluate. */
  code: string;
  /** Maps generated positions back to the cell's. */
  map: LineMap;
}

/** A cell that does not parse, with the position of the first problem (1-based). */
export interface CellSyntaxError {
  ok: false;
  message: string;
  line: number;
  column: number;
}

/**
 * Transpiles one cell.
 *
 * @param source the cell's TypeScript
 * @param baseUrl the notebook folder as a file URL ending in "/", for relative imports
 * @returns the JavaScript and its line map, or the first syntax error
 */
export function transpileCell(
  source: string,
  baseUrl: string,
): TranspiledCell | CellSyntaxError {
  const output = ts.transpileModule(source, {
    fileName: "cell.ts",
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      sourceMap: true,
      // Keep class fields as written ([[Define]] semantics, as Deno does).
      useDefineForClassFields: true,
      removeComments: false,
    },
    transformers: { before: [cellTransformer(baseUrl)] },
  });
  const diagnostic = output.diagnostics?.find((d) =>
    d.category === ts.DiagnosticCategory.Error
  );
  if (diagnostic) return syntaxError(source, diagnostic);
  const code = output.outputText
    .replace(/\/\/# sourceMappingURL=.*\s*$/, "")
    // TypeScript marks a file that had imports or exports as a module; a cell is a script.
    .replace(/^export \{\};\s*$/m, "");
  const map = decodeMappings(
    JSON.parse(output.sourceMapText ?? '{"mappings":""}').mappings,
  );
  return { ok: true, code, map };
}

/**
 * Whether a cell is complete, per is_complete_request: "incomplete" when
 * the parser ran out of input (an open brace, string or template),
 * "invalid" for any other syntax error.
 *
 * @param source the code typed so far
 * @returns the status and, when incomplete, the indent for the next line
 */
export function cellCompleteness(
  source: string,
): { status: "complete" | "incomplete" | "invalid"; indent?: string } {
  if (source.trim() === "") return { status: "complete" };
  const output = ts.transpileModule(source, {
    fileName: "cell.ts",
    reportDiagnostics: true,
  });
  const errors = (output.diagnostics ?? []).filter((d) =>
    d.category === ts.DiagnosticCategory.Error
  );
  if (errors.length === 0) return { status: "complete" };
  const end = source.trimEnd().length;
  const atEnd = errors.some((d) => (d.start ?? 0) >= end || isUnterminated(d));
  if (!atEnd) return { status: "invalid" };
  const lastLine = source.split("\n").at(-1) ?? "";
  const indent = lastLine.match(/^\s*/)![0] +
    (/[{([]\s*$/.test(lastLine) ? "  " : "");
  return { status: "incomplete", indent };
}

function isUnterminated(diagnostic: ts.Diagnostic): boolean {
  // TS1002 unterminated string literal, TS1160 unterminated template literal,
  // TS1010 "'*/' expected" (an unterminated block comment).
  return diagnostic.code === 1002 || diagnostic.code === 1160 ||
    diagnostic.code === 1010;
}

function syntaxError(
  source: string,
  diagnostic: ts.Diagnostic,
): CellSyntaxError {
  const start = Math.min(diagnostic.start ?? 0, source.length);
  const before = source.slice(0, start).split("\n");
  return {
    ok: false,
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"),
    line: before.length,
    column: before.at(-1)!.length + 1,
  };
}

function cellTransformer(
  baseUrl: string,
): ts.TransformerFactory<ts.SourceFile> {
  return (context) => {
    const f = context.factory;

    // `await import("spec", options)`, wrapped in the await hook like any await.
    const importCall = (
      specifier: string,
      attributes?: ts.ImportAttributes,
    ): ts.Expression => {
      const args: ts.Expression[] = [
        f.createStringLiteral(resolveSpecifier(specifier, baseUrl)),
      ];
      if (attributes) {
        args.push(f.createObjectLiteralExpression([
          f.createPropertyAssignment(
            "with",
            f.createObjectLiteralExpression(
              attributes.elements.map((e) =>
                f.createPropertyAssignment(e.name, e.value)
              ),
            ),
          ),
        ]));
      }
      return awaitHooked(
        f.createCallExpression(
          f.createToken(ts.SyntaxKind.ImportKeyword) as ts.Expression,
          undefined,
          args,
        ),
      );
    };

    const awaitHooked = (expression: ts.Expression): ts.AwaitExpression =>
      f.createAwaitExpression(
        f.createCallExpression(f.createIdentifier(AWAIT_HOOK), undefined, [
          expression,
        ]),
      );

    const constStatement = (
      name: ts.BindingName,
      initializer: ts.Expression,
      original: ts.Node,
    ): ts.Statement =>
      ts.setTextRange(
        f.createVariableStatement(
          undefined,
          f.createVariableDeclarationList([
            f.createVariableDeclaration(
              name,
              undefined,
              undefined,
              initializer,
            ),
          ], ts.NodeFlags.Const),
        ),
        original,
      );

    const rewriteImport = (node: ts.ImportDeclaration): ts.Statement[] => {
      const specifier = (node.moduleSpecifier as ts.StringLiteral).text;
      const clause = node.importClause;
      if (clause?.isTypeOnly) return [];
      const call = importCall(specifier, node.attributes);
      if (!clause) {
        return [ts.setTextRange(f.createExpressionStatement(call), node)];
      }
      const statements: ts.Statement[] = [];
      const elements: ts.BindingElement[] = [];
      if (clause.name) {
        elements.push(
          f.createBindingElement(undefined, "default", clause.name),
        );
      }
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) {
        statements.push(constStatement(bindings.name, call, node));
        if (elements.length) {
          statements.push(
            constStatement(
              f.createObjectBindingPattern(elements),
              bindings.name,
              node,
            ),
          );
        }
        return statements;
      }
      for (const element of bindings?.elements ?? []) {
        if (element.isTypeOnly) continue;
        elements.push(
          f.createBindingElement(undefined, element.propertyName, element.name),
        );
      }
      return [
        constStatement(f.createObjectBindingPattern(elements), call, node),
      ];
    };

    const visit = (node: ts.Node): ts.VisitResult<ts.Node> => {
      if (ts.isAwaitExpression(node)) {
        return awaitHooked(
          ts.visitNode(node.expression, visit) as ts.Expression,
        );
      }
      if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword
      ) {
        const [first, ...rest] = node.arguments.map((a) =>
          ts.visitNode(a, visit) as ts.Expression
        );
        const resolved = first && ts.isStringLiteralLike(first)
          ? f.createStringLiteral(resolveSpecifier(first.text, baseUrl))
          : f.createCallExpression(
            f.createIdentifier(RESOLVE_HOOK),
            undefined,
            first ? [first] : [],
          );
        return f.updateCallExpression(node, node.expression, undefined, [
          resolved,
          ...rest,
        ]);
      }
      return ts.visitEachChild(node, visit, context);
    };

    const visitTopLevel = (node: ts.Statement): ts.VisitResult<ts.Node> => {
      if (ts.isImportDeclaration(node)) return rewriteImport(node);
      if (
        ts.isImportEqualsDeclaration(node) && !node.isTypeOnly &&
        ts.isExternalModuleReference(node.moduleReference)
      ) {
        const specifier =
          (node.moduleReference.expression as ts.StringLiteral).text;
        return constStatement(node.name, importCall(specifier), node);
      }
      if (
        ts.isExportDeclaration(node) ||
        ts.isExportAssignment(node) && !node.isExportEquals
      ) {
        // `export { a }` has nothing to evaluate; `export default x` evaluates x.
        return ts.isExportAssignment(node)
          ? ts.setTextRange(
            f.createExpressionStatement(
              ts.visitNode(node.expression, visit) as ts.Expression,
            ),
            node,
          )
          : [];
      }
      const modifiers = ts.canHaveModifiers(node)
        ? ts.getModifiers(node)
        : undefined;
      if (modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
        const kept = modifiers.filter((m) =>
          m.kind !== ts.SyntaxKind.ExportKeyword &&
          m.kind !== ts.SyntaxKind.DefaultKeyword
        );
        node = f.replaceModifiers(
          node as ts.HasModifiers,
          kept,
        ) as unknown as ts.Statement;
      }
      return visit(node);
    };

    return (file) =>
      f.updateSourceFile(
        file,
        ts.visitNodes(file.statements, visitTopLevel, ts.isStatement),
      );
  };
}
