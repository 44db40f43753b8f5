/**
 * Completion and inspection from the live session (runs in the agent): the
 * object before a dot is evaluated without side effects (V8's
 * throwOnSideEffect), and its property names, or the session's globals, are
 * offered.
 */
import type { Session } from "node:inspector/promises";
import { inspect } from "./display.ts";
import { codePoints, folderUrl, toIndex } from "../agent_protocol.ts";

const IDENTIFIER_CHAIN =
  /((?:[A-Za-z_$][\w$]*\s*\??\.\s*)*)([A-Za-z_$][\w$]*)?$/;

// Words a cell may type that no object holds.
const KEYWORDS = [
  "await",
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "import",
  "in",
  "instanceof",
  "let",
  "new",
  "null",
  "return",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "undefined",
  "var",
  "void",
  "while",
  "with",
  "yield",
  "interface",
  "type",
  "enum",
  "async",
  "of",
];

async function propertyNames(
  session: Session,
  objectExpression: string | null,
): Promise<string[]> {
  const lister = `function () {
    const names = new Set();
    for (let o = this; o !== null && o !== undefined; o = Object.getPrototypeOf(o)) {
      for (const name of Object.getOwnPropertyNames(o)) names.add(name);
    }
    return [...names];
  }`;
  if (objectExpression === null) {
    const lexical = await session.post(
      "Runtime.globalLexicalScopeNames",
      {},
    ) as unknown as { names: string[] };
    const own = await session.post("Runtime.evaluate", {
      expression: `(${lister}).call(globalThis)`,
      returnByValue: true,
    }) as unknown as { result: { value?: string[] } };
    return [...lexical.names, ...(own.result.value ?? []), ...KEYWORDS];
  }
  const evaluated = await session.post("Runtime.evaluate", {
    expression: objectExpression,
    replMode: true,
    throwOnSideEffect: true,
    timeout: 500,
    objectGroup: "complete",
  }) as unknown as {
    result: { objectId?: string; type: string };
    exceptionDetails?: unknown;
  };
  try {
    if (evaluated.exceptionDetails) return [];
    const target = evaluated.result.objectId
      ? { objectId: evaluated.result.objectId }
      : { expression: `(${lister}).call(${objectExpression})` };
    const listed = "objectId" in target
      ? await session.post("Runtime.callFunctionOn", {
        objectId: target.objectId,
        functionDeclaration: lister,
        returnByValue: true,
      })
      : await session.post("Runtime.evaluate", {
        expression: target.expression,
        replMode: true,
        throwOnSideEffect: true,
        returnByValue: true,
      });
    return ((listed as unknown as { result: { value?: string[] } }).result
      .value ?? []).filter((name) => !/^\d/.test(name));
  } finally {
    await session.post("Runtime.releaseObjectGroup", {
      objectGroup: "complete",
    });
  }
}

// A relative import specifier being typed: `from "../li` or `import("./`.
const RELATIVE_SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s*)["'](\.{1,2}\/[^"'\n]*)$/;

/** File names for a relative specifier, from the notebook's folder (cheap: one readDir). */
function completeSpecifier(
  typed: string,
  code: string,
  index: number,
  cursor: number,
): { matches: string[]; start: number; end: number } {
  const slash = typed.lastIndexOf("/");
  const folder = typed.slice(0, slash + 1);
  const partial = typed.slice(slash + 1);
  const start = codePoints(code.slice(0, index - partial.length));
  const matches: string[] = [];
  try {
    for (
      const entry of Deno.readDirSync(new URL(folder, folderUrl(Deno.cwd())))
    ) {
      if (!entry.name.startsWith(partial) || entry.name.startsWith(".")) {
        continue;
      }
      if (entry.isDirectory) matches.push(`${entry.name}/`);
      else if (/\.(ts|tsx|js|mjs|json)$/.test(entry.name)) {
        matches.push(entry.name);
      }
    }
  } catch {
    // No such folder, or no read permission: nothing to offer.
  }
  return { matches: matches.sort(), start, end: cursor };
}

/**
 * Completions at a cursor.
 *
 * @param session the agent's inspector session
 * @param code the cell text
 * @param cursor cursor position in code points
 * @returns matches and the replaced range (code points)
 */
export async function completeAt(
  session: Session,
  code: string,
  cursor: number,
): Promise<{ matches: string[]; start: number; end: number }> {
  const index = toIndex(code, cursor);
  const specifier = code.slice(0, index).match(RELATIVE_SPECIFIER);
  if (specifier) return completeSpecifier(specifier[1], code, index, cursor);
  const match = code.slice(0, index).match(IDENTIFIER_CHAIN)!;
  const chain = match[1].replace(/\s*\??\.\s*$/, "").replace(/\s+/g, "");
  const partial = match[2] ?? "";
  const start = codePoints(code.slice(0, index - partial.length));
  try {
    const names = await propertyNames(session, chain === "" ? null : chain);
    const matches = [...new Set(names)]
      .filter((name) =>
        name.startsWith(partial) && !name.startsWith("__kernel")
      )
      .sort((a, b) =>
        Number(a.startsWith("_")) - Number(b.startsWith("_")) ||
        a.localeCompare(b)
      );
    return { matches, start, end: cursor };
  } catch {
    return { matches: [], start, end: cursor };
  }
}

/**
 * What a symbol at the cursor is: its type, value and, for functions, signature and doc comment.
 *
 * @param session the agent's inspector session
 * @param code the cell text
 * @param cursor cursor position in code points
 * @param detail 0 or 1 (1 adds the source of functions)
 * @returns whether something was found, and markdown-ish text about it
 */
export async function inspectAt(
  session: Session,
  code: string,
  cursor: number,
  detail: number,
): Promise<{ found: boolean; text: string }> {
  const index = toIndex(code, cursor);
  // The whole identifier under the cursor, not just the part before it.
  const rest = code.slice(index).match(/^[\w$]*/)![0];
  const chain = (code.slice(0, index) + rest).match(IDENTIFIER_CHAIN)!;
  const expression = (chain[1] + (chain[2] ?? "")).replace(/\s+/g, "").replace(
    /\.$/,
    "",
  );
  if (expression === "") return { found: false, text: "" };
  const holder = Symbol.for("deno-webgpu.kernel.inspected");
  const evaluated = await session.post("Runtime.evaluate", {
    expression,
    replMode: true,
    throwOnSideEffect: true,
    timeout: 500,
    objectGroup: "inspect",
  }) as unknown as {
    result: { objectId?: string; value?: unknown; type: string };
    exceptionDetails?: unknown;
  };
  try {
    if (evaluated.exceptionDetails) return { found: false, text: "" };
    let value: unknown = evaluated.result.value;
    if (evaluated.result.objectId) {
      await session.post("Runtime.callFunctionOn", {
        objectId: evaluated.result.objectId,
        functionDeclaration:
          `function () { globalThis[Symbol.for("deno-webgpu.kernel.inspected")] = this; }`,
      });
      value = (globalThis as Record<symbol, unknown>)[holder];
      delete (globalThis as Record<symbol, unknown>)[holder];
    }
    return { found: true, text: describe(expression, value, detail) };
  } finally {
    await session.post("Runtime.releaseObjectGroup", {
      objectGroup: "inspect",
    });
  }
}

function describe(expression: string, value: unknown, detail: number): string {
  const kind = value === null
    ? "null"
    : typeof value === "object"
    ? (Object.getPrototypeOf(value)?.constructor?.name ?? "Object")
    : typeof value;
  const lines = [`${expression}: ${kind}`];
  if (typeof value === "function") {
    const source = Function.prototype.toString.call(value);
    const signature = source.slice(
      0,
      source.indexOf("{") > 0 ? source.indexOf("{") : source.length,
    ).trim();
    lines.push(`Signature: ${signature}`);
    if (detail > 0) lines.push("Source:", source);
  } else {
    lines.push(`Value: ${inspect(value).slice(0, 2000)}`);
  }
  return lines.join("\n");
}
