/**
 * Completion and inspection from the live session (runs in the agent): the
 * object before a dot is evaluated without side effects (V8's
 * throwOnSideEffect), and its property names, or the session's globals, are
 * offered.
 */
import type { Session } from "node:inspector/promises";
import { inspect, isDisplayable, toMimeBundle } from "./display.ts";
import {
  type Answers,
  codePoints,
  folderUrl,
  toIndex,
} from "../agent_protocol.ts";

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

// Each name with its kind, read from the property descriptor so that no
// getter runs: "function", "class", "property" (a getter or a plain value).
const LISTER = `function () {
  const names = new Map();
  for (let o = this; o !== null && o !== undefined; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (names.has(name)) continue;
      const { value } = Object.getOwnPropertyDescriptor(o, name);
      names.set(name, typeof value !== "function" ? "property"
        : /^class\\b/.test(Function.prototype.toString.call(value)) ? "class"
        : "function");
    }
  }
  return [...names];
}`;

/** A name and its kind, as complete answers carry them. */
type Named = [name: string, type: string];

async function propertyNames(
  session: Session,
  objectExpression: string | null,
): Promise<Named[]> {
  const lister = LISTER;
  if (objectExpression === null) {
    const lexical = await session.post(
      "Runtime.globalLexicalScopeNames",
      {},
    ) as unknown as { names: string[] };
    const own = await session.post("Runtime.evaluate", {
      expression: `(${lister}).call(globalThis)`,
      returnByValue: true,
    }) as unknown as { result: { value?: Named[] } };
    return [
      ...lexical.names.map((name): Named => [name, "variable"]),
      ...(own.result.value ?? []),
      ...KEYWORDS.map((name): Named => [name, "keyword"]),
    ];
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
    return ((listed as unknown as { result: { value?: Named[] } }).result
      .value ?? []).filter(([name]) => !/^\d/.test(name));
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
): Answers["complete"] {
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
  matches.sort();
  return {
    matches,
    types: matches.map(() => "path"),
    start,
    end: cursor,
  };
}

/**
 * Completions at a cursor.
 *
 * @param session the agent's inspector session
 * @param code the cell text
 * @param cursor cursor position in code points
 * @returns matches, their kinds, and the replaced range (code points)
 */
export async function completeAt(
  session: Session,
  code: string,
  cursor: number,
): Promise<Answers["complete"]> {
  const index = toIndex(code, cursor);
  const specifier = code.slice(0, index).match(RELATIVE_SPECIFIER);
  if (specifier) return completeSpecifier(specifier[1], code, index, cursor);
  const match = code.slice(0, index).match(IDENTIFIER_CHAIN)!;
  const chain = match[1].replace(/\s*\??\.\s*$/, "").replace(/\s+/g, "");
  const partial = match[2] ?? "";
  const start = codePoints(code.slice(0, index - partial.length));
  try {
    const names = new Map(
      (await propertyNames(session, chain === "" ? null : chain)).reverse(),
    );
    const matches = [...names.keys()]
      .filter((name) =>
        name.startsWith(partial) && !name.startsWith("__kernel")
      )
      .sort((a, b) =>
        Number(a.startsWith("_")) - Number(b.startsWith("_")) ||
        a.localeCompare(b)
      );
    return {
      matches,
      types: matches.map((name) => names.get(name)!),
      start,
      end: cursor,
    };
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
    return { found: true, text: await describe(expression, value, detail) };
  } finally {
    await session.post("Runtime.releaseObjectGroup", {
      objectGroup: "inspect",
    });
  }
}

async function describe(
  expression: string,
  value: unknown,
  detail: number,
): Promise<string> {
  const kind = value === null
    ? "null"
    : typeof value === "object"
    ? (Object.getPrototypeOf(value)?.constructor?.name ?? "Object")
    : typeof value;
  const lines = [`${expression}: ${kind}`];
  if (typeof value === "function") {
    const source = Function.prototype.toString.call(value);
    lines.push(`Signature: ${functionHead(source)}`);
    if (detail > 0) lines.push("Source:", source);
  } else {
    lines.push(`Value: ${await preview(value)}`);
  }
  return lines.join("\n");
}

// How much of a value's text form inspection shows.
const PREVIEW_LINES = 12;
const PREVIEW_CHARS = 2000;
const PREVIEW_TIMEOUT_MS = 1000;

// The text form a cell's result would show (a tensor's values and shape,
// from its display method), cut to a preview; Deno.inspect otherwise.
async function preview(value: unknown): Promise<string> {
  let text = inspect(value);
  if (isDisplayable(value)) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const bundle = await Promise.race([
        toMimeBundle(value),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), PREVIEW_TIMEOUT_MS);
        }),
      ]);
      const plain = bundle?.["text/plain"];
      if (typeof plain === "string") text = plain;
    } catch {
      // A display method that fails (a disposed tensor): the plain inspection.
    } finally {
      clearTimeout(timer);
    }
  }
  const lines = text.split("\n");
  const cut = lines.length > PREVIEW_LINES
    ? [...lines.slice(0, PREVIEW_LINES), "…"].join("\n")
    : text;
  return cut.length > PREVIEW_CHARS ? `${cut.slice(0, PREVIEW_CHARS)}…` : cut;
}

/**
 * A function's source up to its body: the parameter list is read to its
 * closing parenthesis first, so defaults such as `options = {}` stay.
 *
 * @param source what Function.prototype.toString gives
 * @returns e.g. `function randn(shape, options = {})`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { functionHead } from "./introspect.ts";
 *
 * assert.equal(
 *   functionHead("function randn(shape, options = {}) { return shape; }"),
 *   "function randn(shape, options = {})",
 * );
 * assert.equal(functionHead("(a, b = [1]) => a + b"), "(a, b = [1]) =>");
 * ```
 */
export function functionHead(source: string): string {
  if (/^class\b/.test(source)) {
    return source.slice(0, source.indexOf("{")).trim();
  }
  const open = source.indexOf("(");
  const arrow = source.indexOf("=>");
  // `x => x + 1`: no parentheses before the arrow.
  if (open < 0 || (arrow >= 0 && arrow < open)) {
    return source.slice(0, arrow >= 0 ? arrow + 2 : source.length).trim();
  }
  let depth = 0;
  let quote = "";
  for (let i = open; i < source.length; i++) {
    const char = source[i];
    if (quote !== "") {
      if (char === "\\") i++;
      else if (char === quote) quote = "";
    } else if (char === '"' || char === "'" || char === "`") {
      quote = char;
    } else if ("([{".includes(char)) {
      depth++;
    } else if (")]}".includes(char) && --depth === 0) {
      const head = source.slice(0, i + 1);
      return /^\s*=>/.test(source.slice(i + 1)) ? `${head} =>` : head;
    }
  }
  return source.trim();
}
