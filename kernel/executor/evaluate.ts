/**
 * Evaluation in the executor: each cell goes through an in-process V8
 * inspector session with REPL mode, which gives re-declarable `const`,
 * top-level await and state that persists from cell to cell.
 */
import { Session } from "node:inspector/promises";
import type { Command, Evaluation } from "../agent_protocol.ts";
import { toMimeBundle } from "./display.ts";
import { exitExecutor } from "./cell_globals.ts";
import { nextTask } from "./events.ts";
import { beginCell, whenInterrupted } from "./interrupt.ts";
import { describeLocation, errorContent, registerCell } from "./traceback.ts";

const HOLDER = Symbol.for("deno-webgpu.kernel.holder");

/**
 * Opens the inspector session cells run in.
 *
 * @returns the connected session (the process exits with 70 without one)
 */
export function connectInspector(): Session {
  const session = new Session();
  try {
    session.connect();
  } catch (error) {
    // Without the inspector no cell can run: say why and let the kernel report it.
    console.error(`The executor cannot open its inspector session: ${error}`);
    exitExecutor(70);
  }
  return session;
}

type RemoteObject = {
  type: string;
  subtype?: string;
  value?: unknown;
  unserializableValue?: string;
  objectId?: string;
};
type EvaluateResult = {
  result: RemoteObject;
  exceptionDetails?: {
    lineNumber: number;
    columnNumber: number;
    exception?: RemoteObject;
    text: string;
  };
};

/** The live value behind a remote object. */
async function liveValue(
  session: Session,
  remote: RemoteObject,
): Promise<unknown> {
  if (remote.objectId) {
    await session.post("Runtime.callFunctionOn", {
      objectId: remote.objectId,
      functionDeclaration:
        `function () { globalThis[Symbol.for("deno-webgpu.kernel.holder")] = this; }`,
    });
    const value = (globalThis as Record<symbol, unknown>)[HOLDER];
    delete (globalThis as Record<symbol, unknown>)[HOLDER];
    return value;
  }
  if (remote.unserializableValue !== undefined) {
    const text = remote.unserializableValue;
    return text.endsWith("n") ? BigInt(text.slice(0, -1)) : Number(text);
  }
  return remote.value;
}

/**
 * Evaluates one transpiled cell in REPL mode, racing it against interrupts.
 *
 * @param session the inspector session
 * @param command the eval command
 * @returns the done event: the result as a MIME bundle, or the error
 */
export async function evaluate(
  session: Session,
  command: Extract<Command, { op: "eval" }>,
): Promise<Evaluation> {
  beginCell();
  registerCell(command.url, command.name, command.map);
  const evaluation = session.post("Runtime.evaluate", {
    expression: `${command.code}\n//# sourceURL=${command.url}`,
    replMode: true,
    awaitPromise: true,
    objectGroup: "cell",
  }) as unknown as Promise<EvaluateResult>;
  try {
    const response = await Promise.race([evaluation, whenInterrupted()]);
    await nextTask(); // out of the inspector's dispatch before more JS runs
    const details = response.exceptionDetails;
    if (details) {
      const thrown = details.exception
        ? await liveValue(session, details.exception)
        : new Error(details.text);
      const content = errorContent(thrown);
      // A SyntaxError from V8 itself has no frame in the cell: add the position.
      if (
        thrown instanceof SyntaxError &&
        !content.traceback.some((line) => line.includes(command.name))
      ) {
        content.traceback.push(
          `    at ${
            describeLocation(
              command.url,
              details.lineNumber + 1,
              details.columnNumber + 1,
            )
          }`,
        );
      }
      return { type: "done", id: command.id, status: "error", ...content };
    }
    if (response.result.type === "undefined") {
      return { type: "done", id: command.id, status: "ok", result: null };
    }
    // A cell ending in a promise (`p`) waits here for it to settle (fetching
    // the live value of a pending promise does not return before): that
    // wait is an await like any other, so an interrupt ends it, state kept.
    const value = await Promise.race([
      liveValue(session, response.result),
      whenInterrupted(),
    ]);
    // No execute_result for undefined, as ipykernel for None; REPL mode also
    // hands back a trailing promise (display(), an async call) resolved to it.
    if (value === undefined) {
      return { type: "done", id: command.id, status: "ok", result: null };
    }
    const result = await toMimeBundle(value);
    return { type: "done", id: command.id, status: "ok", result };
  } catch (error) {
    return {
      type: "done",
      id: command.id,
      status: "error",
      ...errorContent(error),
    };
  } finally {
    // Not awaited: the reply need not wait for the inspector to free handles.
    session.post("Runtime.releaseObjectGroup", { objectGroup: "cell" })
      .catch(() => {});
  }
}
