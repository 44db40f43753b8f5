/**
 * The language service's thread: a Worker that holds the notebook's one
 * CellTypes (language_service.ts), so that building the program and each
 * check or request never hold the kernel's event loop (heartbeats,
 * interrupts, the executor's output), and a check in warn mode runs beside
 * the cell. language_client.ts is the kernel's side.
 *
 * Requests are served in order, so a cell added before a check or a
 * completion is seen by it. At start the worker warms up (Deno's and the
 * library's declarations: most of a second) before it serves anything. After
 * cells are added the program over them is built half a second after the
 * last one (`warm`), while the user reads the output, not between the cells
 * of a run (that took a core from them: the kernel round trip of a run was
 * 3.1x with a rebuild after every cell, 1.41x with this). A check already
 * builds that same program, so with checks on the warm-up costs nothing.
 */
/// <reference lib="deno.worker" />
import { denoTypes } from "./deno_lib.ts";
import { CellTypes } from "./language_service.ts";

/** The CellTypes methods the kernel calls. */
export type Method = "quickInfo" | "signatureHelp" | "completions" | "check";

/** A request of the kernel's side. */
export type WorkerRequest =
  | { op: "start"; folder: string }
  | { op: "add"; code: string }
  | { op: "call"; id: number; method: Method; args: unknown[] };

/** What the worker answers. */
export type WorkerReply =
  | { op: "ready"; ms: number }
  | { op: "failed"; error: string }
  | { op: "answer"; id: number; value: unknown; ms: number }
  | { op: "answer"; id: number; error: string };

// After half a second without cells: a run of many cells is warmed once.
const WARM_AFTER_MS = 500;

let types: CellTypes | undefined;
let queue = Promise.resolve();
let warming: ReturnType<typeof setTimeout> | undefined;

const reply = (message: WorkerReply) => self.postMessage(message);

async function start(folder: string): Promise<void> {
  const started = performance.now();
  types = new CellTypes(folder, await denoTypes());
  types.warmUp();
  reply({ op: "ready", ms: performance.now() - started });
}

function serve(request: WorkerRequest): void {
  if (!types) return;
  if (request.op === "add") {
    types.add(request.code);
    clearTimeout(warming);
    warming = setTimeout(() => types?.warm(), WARM_AFTER_MS);
    return;
  }
  if (request.op !== "call") return;
  const started = performance.now();
  try {
    const method = types[request.method] as (...args: unknown[]) => unknown;
    const value = method.apply(types, request.args);
    reply({
      op: "answer",
      id: request.id,
      value,
      ms: performance.now() - started,
    });
  } catch (error) {
    reply({
      op: "answer",
      id: request.id,
      error: error instanceof Error
        ? error.stack ?? error.message
        : String(error),
    });
  }
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  if (request.op === "start") {
    queue = start(request.folder).catch((error) =>
      reply({ op: "failed", error: String(error) })
    );
    return;
  }
  // After the start (which awaits `deno types`); in order.
  queue = queue.then(() => serve(request));
};
