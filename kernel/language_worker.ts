/**
 * The language service's thread: a Worker that holds the CellTypes, so that
 * building the program (lib.dom and the library's sources: 0.5-2 s) and each
 * request's checking never hold the kernel's event loop (heartbeats,
 * interrupts, the executor's output). Messages are handled in order, so a
 * cell added before a request is seen by it. After cells are added, the
 * program is built ahead of the next request (`warm`), while the user types.
 * language_client.ts is the kernel's side.
 */
/// <reference lib="deno.worker" />
import { CellTypes } from "./language_service.ts";

/** A call of the kernel's side. */
export type WorkerRequest =
  | { op: "start"; folder: string }
  | { op: "addCell"; code: string }
  | { op: "call"; id: number; method: Method; args: unknown[] };

/** The CellTypes methods the kernel calls. */
export type Method = "quickInfo" | "signatureHelp" | "completions";

/** The answer to a call. */
export type WorkerReply =
  | { id: number; value: unknown }
  | { id: number; error: string };

let types: CellTypes | null = null;
let warming: ReturnType<typeof setTimeout> | undefined;

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  if (request.op === "start") {
    types = new CellTypes(request.folder);
    warmSoon();
  } else if (request.op === "addCell") {
    types?.addCell(request.code);
    warmSoon();
  } else {
    try {
      const method = types![request.method] as (...args: unknown[]) => unknown;
      const value = method.apply(types, request.args);
      self.postMessage({ id: request.id, value } satisfies WorkerReply);
    } catch (error) {
      self.postMessage(
        { id: request.id, error: String(error) } satisfies WorkerReply,
      );
    }
  }
};

// After half a second without cells: a run of many cells is warmed once,
// without taking a core from the cells while they run.
const WARM_AFTER_MS = 500;

function warmSoon(): void {
  clearTimeout(warming);
  warming = setTimeout(() => types?.warm(), WARM_AFTER_MS);
}
