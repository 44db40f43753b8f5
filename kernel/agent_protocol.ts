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
 * A synchronous `prompt()` cannot wait for a command on stdin (the event loop
 * is blocked), so its answer comes as a file: the kernel writes
 * `<reply folder>/<request id>` (a 0700 temporary folder, the agent's second
 * argument) and the agent polls for it.
 */
import type { LineMap } from "./source_map.ts";
import type { MimeBundle } from "./display.ts";

/** The global the agent defines, wrapped around every awaited value in a cell. */
export const AWAIT_HOOK = "__kernelAwait";
/** The global the agent defines to resolve non-literal dynamic import specifiers. */
export const RESOLVE_HOOK = "__kernelResolve";

/** Starts every event frame: ASCII record separator, which printed text rarely holds. */
export const FRAME_MARK = "\u001e";

/** What the kernel asks of the agent. */
export type Command =
  | {
    op: "eval";
    id: string;
    code: string;
    map: LineMap;
    url: string;
    name: string;
  }
  | { op: "interrupt" }
  | { op: "complete"; id: string; code: string; cursor: number }
  | { op: "inspect"; id: string; code: string; cursor: number; detail: number }
  | { op: "input_reply"; id: string; value?: string; error?: string };

/** A cell's error, as execute_reply and the error message carry it. */
export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

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
  | { type: "done"; id: string; status: "ok"; result: MimeBundle | null }
  | ({ type: "done"; id: string; status: "error" } & ErrorContent)
  | ({ type: "late_error" } & ErrorContent)
  | {
    type: "input_request";
    id: string;
    prompt: string;
    password: boolean;
    sync: boolean;
  }
  | {
    type: "complete_reply";
    id: string;
    matches: string[];
    start: number;
    end: number;
  }
  | { type: "inspect_reply"; id: string; found: boolean; text: string };
