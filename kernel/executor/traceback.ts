/**
 * Stack traces in the cell's own lines: V8's prepareStackTrace hook maps
 * each frame in a cell back through its source map, names it `In[n]`, and
 * leaves out Deno's internals and the agent's own frames.
 */
import type { ErrorContent, LineMap } from "../agent_protocol.ts";
import { inspect } from "./display.ts";
import { originalPosition } from "./source_position.ts";

const cells = new Map<string, { name: string; map: LineMap }>();

/**
 * Remembers a cell's name and map, so frames in it print as `In[3]:2:5`.
 *
 * @param url the cell's sourceURL
 * @param name how tracebacks call it
 * @param map its line map
 */
export function registerCell(url: string, name: string, map: LineMap): void {
  cells.set(url, { name, map });
}

// The agent's own modules are noise in a student's traceback, as are Deno's internals.
const AGENT_MODULES = new Set(
  [
    "agent.ts",
    "cell_globals.ts",
    "comms.ts",
    "evaluate.ts",
    "events.ts",
    "interrupt.ts",
    "traceback.ts",
  ].map((name) => new URL(`./${name}`, import.meta.url).href),
);

interface CallSite {
  getScriptNameOrSourceURL(): string | null;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
  getFunctionName(): string | null;
  getTypeName(): string | null;
  getMethodName(): string | null;
  isAsync(): boolean;
  isConstructor(): boolean;
  isToplevel(): boolean;
}

/**
 * A position in generated code as the user knows it.
 *
 * @param file a script URL
 * @param line 1-based line in it
 * @param column 1-based column
 * @returns `In[3]:2:5` for a cell, else `file:line:column`
 */
export function describeLocation(
  file: string,
  line: number,
  column: number,
): string {
  const cell = cells.get(file);
  if (!cell) return `${file}:${line}:${column}`;
  const original = originalPosition(cell.map, line, column);
  return original
    ? `${cell.name}:${original.line}:${original.column}`
    : cell.name;
}

function formatFrame(site: CallSite): string | null {
  const file = site.getScriptNameOrSourceURL() ?? "";
  if (
    file.startsWith("ext:") || file.startsWith("node:") ||
    AGENT_MODULES.has(file)
  ) return null;
  const location = file
    ? describeLocation(
      file,
      site.getLineNumber() ?? 0,
      site.getColumnNumber() ?? 0,
    )
    : "<anonymous>";
  let name = site.getFunctionName();
  if (
    name && !site.isToplevel() && site.getTypeName() && !site.isConstructor()
  ) {
    const typeName = site.getTypeName();
    if (typeName !== "Object" && !name.startsWith(`${typeName}.`)) {
      name = `${typeName}.${name}`;
    }
  }
  const prefix = (site.isAsync() ? "async " : "") +
    (site.isConstructor() ? "new " : "");
  return name
    ? `    at ${prefix}${name} (${location})`
    : `    at ${prefix}${location}`;
}

/** Makes every stack trace speak in cell lines (V8's prepareStackTrace hook). */
export function installStackTraces(): void {
  (Error as unknown as { prepareStackTrace: unknown }).prepareStackTrace =
    prepareStackTrace;
}

function prepareStackTrace(error: Error, sites: CallSite[]): string {
  let head: string;
  try {
    head = error.message
      ? `${error.name}: ${error.message}`
      : String(error.name);
  } catch {
    head = "Error";
  }
  const frames = sites.map(formatFrame).filter((line) => line !== null);
  // Native frames after the last user frame belong to the agent's evaluate call.
  while (frames.length > 0 && frames.at(-1)!.endsWith("(<anonymous>)")) {
    frames.pop();
  }
  return [head, ...frames].join("\n");
}

/**
 * What execute_reply and the error message say about a thrown value.
 *
 * @param thrown an Error or anything else a cell threw
 * @returns name, message and traceback
 */
export function errorContent(thrown: unknown): ErrorContent {
  if (thrown instanceof Error) {
    const stack = String(thrown.stack ?? `${thrown.name}: ${thrown.message}`);
    const extra = thrown.cause === undefined
      ? []
      : [`Caused by: ${inspect(thrown.cause)}`];
    return {
      ename: thrown.name || "Error",
      evalue: thrown.message,
      traceback: [...stack.split("\n"), ...extra],
    };
  }
  // A thrown non-Error (a string, a number, an object) has no stack.
  const text = inspect(thrown);
  return { ename: "Uncaught", evalue: text, traceback: [`Uncaught ${text}`] };
}
