/**
 * The private channel between the kernel and its executor's agent.
 *
 * Kernel to agent: one JSON command per line on the executor's stdin.
 * Agent to kernel: events on the executor's stdout, each framed as
 * `FRAME_MARK + nonce + JSON + "\n"`, so that they stay in order with
 * everything the cell prints there; the nonce is random per executor, so
 * no printed text is mistaken for an event. After each evaluation the agent
 * also writes `FRAME_MARK + nonce + "sync:" + id + "\n"` to stderr: once the
 * kernel has read that, it has read all of the cell's stderr too.
 *
 * stdout and stderr are two pipes, which the kernel reads concurrently; to
 * keep their relative order, each write of a cell to stderr is a "turn":
 * the agent writes `FRAME_MARK + nonce + "turn:" + n + "\n"` to stdout, then
 * `... "from:" + n` to stderr, the text, and `... "end:" + n`. The kernel
 * holds stdout after turn n until stderr has reached end n, and stderr text
 * after from n until stdout has reached turn n.
 *
 * A synchronous `prompt()` cannot wait for a command on stdin (the event loop
 * is blocked), so its answer comes as a file: the kernel writes
 * `<reply folder>/<request id>` (a 0700 temporary folder, the agent's second
 * argument) and the agent polls for it.
 *
 * This file is the one door between the two rooms: the kernel process
 * (kernel/) and the executor process (kernel/executor/) import nothing of
 * each other, only this. So it holds, besides the messages, the few rules
 * both sides must apply alike: positions count code points, relative import
 * specifiers resolve against the notebook's folder.
 */
import { pathToFileURL } from "node:url";

/** MIME type to data: strings for text types, base64 for images, objects for JSON types. */
export type MimeBundle = Record<string, unknown>;

/** One source-map segment: [generated column, source line, source column], all 0-based. */
export type Segment = [number, number, number];

/** Segments per generated line of a transpiled cell, sorted by generated column. */
export type LineMap = Segment[][];

/** The global the agent defines, wrapped around every awaited value in a cell. */
export const AWAIT_HOOK = "__kernelAwait";
/** The global the agent defines to resolve non-literal dynamic import specifiers. */
export const RESOLVE_HOOK = "__kernelResolve";

/** Starts every event frame: ASCII record separator, which printed text rarely holds. */
export const FRAME_MARK = "\u001e";

/**
 * One comm message (comm_open, comm_msg or comm_close) crossing the pipe, in
 * either direction. Binary buffers travel as base64 (the pipe carries JSON
 * lines); see encodeBuffers and decodeBuffers.
 */
export interface CommFrame {
  kind: "open" | "msg" | "close";
  commId: string;
  /** comm_open only. */
  targetName?: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  /** base64 */
  buffers: string[];
  /**
   * The msg_id of the frontend message being handled when this frame was
   * made: on a command, that message; on an event, the one whose handler
   * sent it (the kernel then uses it as parent when no cell runs).
   */
  cause?: string;
}

/** The target a frontend that renders ipywidgets opens when it connects. */
export const WIDGET_CONTROL_TARGET = "jupyter.widget.control";

/** What the kernel asks of the agent. */
export type Command =
  | {
    op: "eval";
    id: string;
    code: string;
    map: LineMap;
    url: string;
    name: string;
    /** The msg_id of the execute_request this cell runs for (comms' currentMessageId). */
    msgId?: string;
  }
  | { op: "interrupt" }
  /** Answered once its handlers have been called (the kernel then publishes idle). */
  | ({ op: "comm"; id: string } & CommFrame)
  /** A frontend that renders widgets opened `jupyter.widget.control` before this executor started. */
  | { op: "frontend_widgets" }
  | { op: "complete"; id: string; code: string; cursor: number }
  | { op: "inspect"; id: string; code: string; cursor: number; detail: number }
  | { op: "input_reply"; id: string; value?: string; error?: string };

/** A cell's error, as execute_reply and the error message carry it. */
export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** What the agent answers to each command the kernel asks with `ask()`. */
export interface Answers {
  complete: { matches: string[]; start: number; end: number };
  inspect: { found: boolean; text: string };
  comm: { handled: true };
}

/** A command that gets one answer, matched by id. */
export type Question = Extract<Command, { op: keyof Answers }>;

/** The result of one evaluation. */
export type Evaluation =
  | { type: "done"; id: string; status: "ok"; result: MimeBundle | null }
  | ({ type: "done"; id: string; status: "error" } & ErrorContent);

/** What the agent tells the kernel. */
export type AgentEvent =
  | { type: "ready" }
  | {
    type: "display";
    data: MimeBundle;
    metadata: Record<string, unknown>;
    displayId?: string;
    update: boolean;
  }
  | { type: "clear"; wait: boolean }
  | Evaluation
  | ({ type: "late_error" } & ErrorContent)
  | {
    type: "input_request";
    id: string;
    prompt: string;
    password: boolean;
    sync: boolean;
  }
  /** The answer to a Question with the same id. */
  | { type: "reply"; id: string; value: Answers[keyof Answers] }
  | ({ type: "comm" } & CommFrame)
  /** A problem for the kernel's log (a comm message the executor could not deliver). */
  | { type: "log"; text: string };

/**
 * Binary buffers as the pipe carries them.
 *
 * @param buffers the bytes
 * @returns one base64 string per buffer
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBuffers, encodeBuffers } from "./agent_protocol.ts";
 *
 * const sent = [new Uint8Array([0, 255, 7])];
 * assert.deepEqual(encodeBuffers(sent), ["AP8H"]);
 * assert.deepEqual(decodeBuffers(encodeBuffers(sent)), sent);
 * ```
 */
export function encodeBuffers(buffers: readonly Uint8Array[]): string[] {
  return buffers.map((buffer) => buffer.toBase64());
}

/**
 * The bytes of buffers that crossed the pipe.
 *
 * @param encoded base64 strings (see encodeBuffers)
 * @returns the buffers
 */
export function decodeBuffers(encoded: readonly string[]): Uint8Array[] {
  return encoded.map((text) => Uint8Array.fromBase64(text));
}

/**
 * The length of a string in code points: Jupyter (protocol 5.2+) and the
 * commands above count cursor positions so, where JavaScript strings count
 * UTF-16 units.
 *
 * @param text the string
 * @returns its code point count
 */
export function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * The JavaScript string index of a cursor given in code points.
 *
 * @param text the string
 * @param cursor the cursor in code points
 * @returns the UTF-16 index
 */
export function toIndex(text: string, cursor: number): number {
  let index = 0;
  let seen = 0;
  for (const char of text) {
    if (seen++ >= cursor) break;
    index += char.length;
  }
  return index;
}

/**
 * A folder as a file URL ending in "/", for resolving relative specifiers
 * (pathToFileURL escapes what a plain "file://" + path would not: "#", "%", "?").
 *
 * @param path an absolute folder path
 * @returns e.g. "file:///home/me/notebooks/"
 */
export function folderUrl(path: string): string {
  const url = pathToFileURL(path).href;
  return url.endsWith("/") ? url : `${url}/`;
}

/**
 * Resolves an import specifier of a cell. A cell has no file of its own, so
 * `./x.ts`, `../x.ts` and `/abs/x.ts` resolve against the notebook's folder;
 * bare names, `npm:`, `jsr:` and URLs pass through to Deno. The transpiler
 * applies it to literal specifiers, the agent (through RESOLVE_HOOK) to
 * computed ones, so both resolve alike.
 *
 * @param specifier what the cell wrote
 * @param folder the notebook folder's URL (see folderUrl)
 * @returns the specifier Deno's loader gets
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSpecifier } from "./agent_protocol.ts";
 *
 * assert.equal(resolveSpecifier("./a.ts", "file:///nb/"), "file:///nb/a.ts");
 * assert.equal(resolveSpecifier("/lib/b.ts", "file:///nb/"), "file:///lib/b.ts");
 * assert.equal(resolveSpecifier("npm:zod", "file:///nb/"), "npm:zod");
 * ```
 */
export function resolveSpecifier(specifier: string, folder: string): string {
  return /^\.{1,2}\//.test(specifier) || specifier.startsWith("/")
    ? new URL(specifier, folder).href
    : specifier;
}
