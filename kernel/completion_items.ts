/**
 * The items of a complete_reply: their Jupyter types, their order, and the
 * merge of the language service's list with the live session's. The reply
 * carries them twice, as ipykernel does: `matches` (the texts) and
 * `metadata._jupyter_types_experimental` (one `{start, end, text, type,
 * signature?}` per match, index for index, which JupyterLab reads for its
 * type labels).
 */

/** One completion. */
export interface CompletionItem {
  /** What replaces the typed part. */
  text: string;
  /** Its kind in Jupyter's words: "function", "method", "property", "class", ... */
  type: string;
  /** A callable's parameters and result, e.g. `(x: number): number`. */
  signature?: string;
  /**
   * Where it goes in the list: 0 for most, 1 for `_names` and deprecated
   * ones, 2 for internals (`@internal`), 3 for Object.prototype's names.
   */
  tier: number;
}

/** What complete_reply's metadata holds for one match. */
export interface TypedMatch {
  start: number;
  end: number;
  text: string;
  type: string;
  signature?: string;
}

// Every object has these: noise in a list of what a value offers.
const OBJECT_PROTOTYPE = new Set([
  "constructor",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "toString",
  "valueOf",
]);
// Legacy accessors of Object.prototype: never offered.
const DROPPED =
  /^__(proto|defineGetter|defineSetter|lookupGetter|lookupSetter)__$|^__kernel/;

/**
 * Jupyter's word for a TypeScript completion kind (ts.ScriptElementKind).
 *
 * @param kind e.g. "method", "local function", "const", "directory"
 * @returns e.g. "method", "function", "variable", "path"
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jupyterType } from "./completion_items.ts";
 *
 * assert.equal(jupyterType("local function"), "function");
 * assert.equal(jupyterType("getter"), "property");
 * assert.equal(jupyterType("let"), "variable");
 * ```
 */
export function jupyterType(kind: string): string {
  return KIND_TYPES[kind] ?? (kind === "" ? "<unknown>" : kind);
}

const KIND_TYPES: Record<string, string> = {
  "function": "function",
  "local function": "function",
  "method": "method",
  "construct": "method",
  "call": "method",
  "property": "property",
  "getter": "property",
  "setter": "property",
  "accessor": "property",
  "JSX attribute": "property",
  "class": "class",
  "local class": "class",
  "interface": "interface",
  "type": "type",
  "type parameter": "type",
  "primitive type": "type",
  "enum": "enum",
  "enum member": "property",
  "var": "variable",
  "let": "variable",
  "const": "variable",
  "local var": "variable",
  "using": "variable",
  "await using": "variable",
  "parameter": "variable",
  "module": "module",
  "external module name": "module",
  "keyword": "keyword",
  "script": "path",
  "directory": "path",
  "string": "text",
  "label": "keyword",
  "alias": "variable",
};

/**
 * The tier of a name by its spelling alone (see CompletionItem.tier).
 *
 * @param name a property or variable name
 * @returns 0, 1 for `_private` names, 3 for Object.prototype's
 */
export function nameTier(name: string): number {
  if (OBJECT_PROTOTYPE.has(name)) return 3;
  return name.startsWith("_") ? 1 : 0;
}

/**
 * Whether a name is never offered (Object.prototype's `__proto__` and legacy
 * accessors, the kernel's own hooks).
 *
 * @param name the name
 * @returns true to drop it
 */
export function isDropped(name: string): boolean {
  return DROPPED.test(name);
}

/**
 * The language service's items, then the live session's that it lacks
 * (the live ones are what an `any` value really holds), each part by tier;
 * within a tier the order of its source stays.
 *
 * @param typed the language service's items (may be empty)
 * @param live the names the live session found, with their types
 * @returns one list without duplicates
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeCompletions } from "./completion_items.ts";
 *
 * const merged = mergeCompletions(
 *   [{ text: "shape", type: "property", tier: 0 }],
 *   [
 *     { text: "hasOwnProperty", type: "function" },
 *     { text: "shape", type: "property" },
 *     { text: "extra", type: "property" },
 *     { text: "__proto__", type: "property" },
 *   ],
 * );
 * assert.deepEqual(merged.map((item) => item.text), ["shape", "extra", "hasOwnProperty"]);
 * ```
 */
export function mergeCompletions(
  typed: readonly CompletionItem[],
  live: readonly { text: string; type: string }[],
): CompletionItem[] {
  const seen = new Set(typed.map((item) => item.text));
  const items = [...typed];
  for (const { text, type } of live) {
    if (seen.has(text) || isDropped(text)) continue;
    seen.add(text);
    items.push({ text, type, tier: nameTier(text) });
  }
  // Array.prototype.sort is stable: each source keeps its order in a tier.
  return items.filter((item) => !isDropped(item.text)).sort((a, b) =>
    a.tier - b.tier
  );
}

/**
 * complete_reply's metadata entries, one per item.
 *
 * @param items the items
 * @param start where the replaced text starts (code points)
 * @param end where it ends (code points)
 * @returns the `_jupyter_types_experimental` list
 */
export function typedMatches(
  items: readonly CompletionItem[],
  start: number,
  end: number,
): TypedMatch[] {
  return items.map(({ text, type, signature }) =>
    signature === undefined
      ? { start, end, text, type }
      : { start, end, text, type, signature }
  );
}
