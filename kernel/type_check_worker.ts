/**
 * The type checker's worker thread (see type_checker.ts): one
 * NotebookChecker, requests served in order.
 */
/// <reference lib="deno.worker" />
import { denoTypes } from "./deno_lib.ts";
import { NotebookChecker } from "./type_check.ts";
import type { CheckerReply, CheckerRequest } from "./type_checker.ts";

let checker: Promise<NotebookChecker> | undefined;
let queue = Promise.resolve();

const reply = (message: CheckerReply) => self.postMessage(message);

async function start(folder: string): Promise<NotebookChecker> {
  const started = performance.now();
  const types = new NotebookChecker({ folder, denoTypes: await denoTypes() });
  types.warmUp();
  reply({ type: "ready", ms: performance.now() - started });
  return types;
}

async function serve(request: CheckerRequest): Promise<void> {
  if (request.type === "start") {
    checker = start(request.folder);
    await checker;
    return;
  }
  const types = await checker!;
  if (request.type === "add") {
    types.add(request.code);
    return;
  }
  const started = performance.now();
  const diagnostics = types.check(request.code);
  reply({
    type: "checked",
    id: request.id,
    diagnostics,
    ms: performance.now() - started,
  });
}

self.onmessage = (event: MessageEvent<CheckerRequest>) => {
  queue = queue.then(() => serve(event.data)).catch((error) =>
    reply({
      type: "failed",
      id: event.data.type === "check" ? event.data.id : undefined,
      error: error instanceof Error
        ? error.stack ?? error.message
        : String(error),
    })
  );
};
