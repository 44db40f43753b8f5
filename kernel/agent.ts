/**
 * The executor's agent: the only code that runs user cells. It lives in its
 * own Deno process, started by the kernel (executor.ts), and evaluates each
 * cell through an in-process V8 inspector session with REPL mode, which
 * gives re-declarable `const`, top-level await and state that persists.
 *
 * Usage (by the kernel only): deno run [permissions] kernel/agent.ts NONCE
 */
import { folderUrl } from "./text.ts";
import { Session } from "node:inspector/promises";
import type { AgentEvent, Command, ErrorContent } from "./agent_protocol.ts";
import { AWAIT_HOOK, FRAME_MARK, RESOLVE_HOOK } from "./agent_protocol.ts";
import {
  clearOutput,
  display,
  type DisplaySink,
  html,
  image,
  inspect,
  md,
  SINK_KEY,
  svg,
  toMimeBundle,
} from "./display.ts";
import { plot } from "./plotly.ts";
import { type LineMap, originalPosition } from "./source_map.ts";
import { completeAt, inspectAt } from "./introspect.ts";

const nonce = Deno.args[0] ?? "";
const replyFolder = Deno.args[1] ?? "";
const encoder = new TextEncoder();
const AGENT_URL = import.meta.url;
const HOLDER = Symbol.for("deno-webgpu.kernel.holder");

/** Writes all bytes synchronously, so frames stay in order with console output. */
function writeAll(
  file: typeof Deno.stdout | typeof Deno.stderr,
  bytes: Uint8Array,
): void {
  let offset = 0;
  while (offset < bytes.length) {
    offset += file.writeSync(bytes.subarray(offset));
  }
}

function send(event: AgentEvent): void {
  writeAll(
    Deno.stdout,
    encoder.encode(FRAME_MARK + nonce + JSON.stringify(event) + "\n"),
  );
}

// ---- interrupts -------------------------------------------------------------

/** The error an interrupted cell ends with. */
class Interrupted extends Error {
  override name = "Interrupted";
  constructor() {
    super(
      "Execution interrupted: the cell stopped at its next await; earlier state is kept",
    );
  }
}

let interrupted = false;
let rejectInterrupt: (error: Interrupted) => void = () => {};
let interruptPromise: Promise<never> = newInterruptPromise();

function newInterruptPromise(): Promise<never> {
  const promise = new Promise<never>((_, reject) => rejectInterrupt = reject);
  promise.catch(() => {}); // raced, never awaited alone: no unhandled rejection
  return promise;
}

/**
 * Library code (a training loop) awaits outside the cell's own awaits, so an
 * interrupt also aborts this signal, which such code checks between steps:
 * `globalThis[Symbol.for("deno-webgpu.kernel.abort")]`, renewed per cell.
 */
const ABORT_KEY = Symbol.for("deno-webgpu.kernel.abort");
let abortController = new AbortController();

function publishAbortSignal(): void {
  Object.defineProperty(globalThis, ABORT_KEY, {
    value: abortController.signal,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
publishAbortSignal();

/** Wrapped around every awaited value in a cell (see transpile.ts). */
function awaitHook<T>(value: T): T | Promise<T> {
  if (interrupted) throw new Interrupted();
  const thenable = (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function";
  return thenable
    ? Promise.race([value as unknown as Promise<T>, interruptPromise])
    : value;
}

// ---- stack traces in the cell's own lines -------------------------------------

const cells = new Map<string, { name: string; map: LineMap }>();

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

function describeLocation(file: string, line: number, column: number): string {
  const cell = cells.get(file);
  if (!cell) return `${file}:${line}:${column}`;
  const original = originalPosition(cell.map, line, column);
  return original
    ? `${cell.name}:${original.line}:${original.column}`
    : cell.name;
}

function formatFrame(site: CallSite): string | null {
  const file = site.getScriptNameOrSourceURL() ?? "";
  // Deno's internals and this agent are noise in a student's traceback.
  if (
    file.startsWith("ext:") || file.startsWith("node:") || file === AGENT_URL
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

(Error as unknown as { prepareStackTrace: unknown }).prepareStackTrace = (
  error: Error,
  sites: CallSite[],
) => {
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
};

function errorContent(thrown: unknown): ErrorContent {
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

// ---- the cell globals ---------------------------------------------------------

const sink: DisplaySink = {
  display: (request) => send({ type: "display", ...request }),
  clearOutput: (wait) => send({ type: "clear", wait }),
};

const pendingInputs = new Map<
  string,
  { resolve: (value: string) => void; reject: (error: Error) => void }
>();

/**
 * Asks the notebook user for a line of text (input_request on stdin).
 *
 * @param prompt the question
 * @param options password: hide what is typed
 * @returns what the user typed
 */
function input(
  prompt = "",
  options: { password?: boolean } = {},
): Promise<string> {
  const id = crypto.randomUUID();
  send({
    type: "input_request",
    id,
    prompt: String(prompt),
    password: !!options.password,
    sync: false,
  });
  return new Promise((resolve, reject) =>
    pendingInputs.set(id, { resolve, reject })
  );
}

/**
 * `prompt()` for cells: asks the notebook user synchronously, as in a
 * browser. The event loop is blocked meanwhile, so the answer arrives as a
 * file the kernel writes (see agent_protocol.ts), polled every 20 ms.
 *
 * @param message the question
 * @param defaultValue returned when the user enters nothing
 * @returns what the user typed
 * @throws {Error} when the front end does not accept input, or on interrupt
 */
function syncPrompt(message?: unknown, defaultValue?: string): string | null {
  const id = crypto.randomUUID();
  send({
    type: "input_request",
    id,
    prompt: message === undefined ? "" : String(message),
    password: false,
    sync: true,
  });
  const path = `${replyFolder}/${id}`;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let text: string;
    try {
      text = Deno.readTextFileSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        Atomics.wait(pause, 0, 0, 20);
        continue;
      }
      throw new Error(
        `prompt() cannot read its answer (${error}): use \`await input(question)\` instead`,
      );
    }
    try {
      Deno.removeSync(path);
    } catch {
      // Without write permission the file stays; the kernel removes the folder.
    }
    const answer = JSON.parse(text) as { value?: string; error?: string };
    if (answer.error !== undefined) throw new Error(answer.error);
    return answer.value === "" && defaultValue !== undefined
      ? defaultValue
      : answer.value ?? null;
  }
}

function resolveSpecifier(specifier: unknown): string {
  const text = String(specifier);
  return /^\.{1,2}\//.test(text)
    ? new URL(text, folderUrl(Deno.cwd())).href
    : text;
}

const cellGlobals: Record<string, unknown> = {
  display,
  clearOutput,
  html,
  md,
  svg,
  image,
  plot,
  input,
  prompt: syncPrompt,
  confirm: (message?: unknown) =>
    /^\s*y(es)?\s*$/i.test(syncPrompt(`${message ?? ""} [y/N]`) ?? ""),
  alert: (message?: unknown) =>
    console.log(message === undefined ? "" : String(message)),
};
for (const [name, value] of Object.entries(cellGlobals)) {
  Object.defineProperty(globalThis, name, {
    value,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
for (
  const [name, value] of [[AWAIT_HOOK, awaitHook], [
    RESOLVE_HOOK,
    resolveSpecifier,
  ], [SINK_KEY, sink]] as const
) {
  Object.defineProperty(globalThis, name, {
    value,
    writable: false,
    configurable: false,
    enumerable: false,
  });
}

// Deno 2.9.6 panics ("RefCell already mutably borrowed" in inspector.rs) when
// Deno.exit runs inside Runtime.evaluate. So a cell's exit stops the cell
// with an error and exits for real on the next turn of the event loop; the
// kernel then reports the exit code as for any other executor death.
const realExit = Deno.exit;
let exiting = false;
Object.defineProperty(Deno, "exit", {
  value: (code?: number): never => {
    exiting = true;
    setTimeout(() => realExit(code));
    throw new Error(`Deno.exit(${code ?? ""}) called: the executor is exiting`);
  },
});

// Errors after a cell returned (timers, forgotten promises) must not kill the
// executor silently: report them, and the kernel shows them in the current cell.
globalThis.addEventListener("error", (event) => {
  event.preventDefault();
  send({ type: "late_error", ...errorContent(event.error ?? event.message) });
});
globalThis.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  send({ type: "late_error", ...errorContent(event.reason) });
});

// ---- evaluation -------------------------------------------------------------

const session = new Session();
try {
  session.connect();
} catch (error) {
  // Without the inspector no cell can run: say why and let the kernel report it.
  console.error(`The executor cannot open its inspector session: ${error}`);
  Deno.exit(70);
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
async function liveValue(remote: RemoteObject): Promise<unknown> {
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

async function evaluate(
  command: Extract<Command, { op: "eval" }>,
): Promise<AgentEvent> {
  interrupted = false;
  interruptPromise = newInterruptPromise();
  abortController = new AbortController();
  publishAbortSignal();
  cells.set(command.url, { name: command.name, map: command.map });
  const evaluation = session.post("Runtime.evaluate", {
    expression: `${command.code}\n//# sourceURL=${command.url}`,
    replMode: true,
    awaitPromise: true,
    objectGroup: "cell",
  }) as unknown as Promise<EvaluateResult>;
  try {
    const response = await Promise.race([evaluation, interruptPromise]);
    const details = response.exceptionDetails;
    if (details) {
      const thrown = details.exception
        ? await liveValue(details.exception)
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
    const value = await liveValue(response.result);
    // No execute_result for undefined, as ipykernel for None; REPL mode also
    // hands back a trailing promise (display(), an async call) resolved to it.
    if (value === undefined) {
      return { type: "done", id: command.id, status: "ok", result: null };
    }
    return {
      type: "done",
      id: command.id,
      status: "ok",
      result: await toMimeBundle(value),
    };
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

async function handle(command: Command): Promise<void> {
  switch (command.op) {
    case "eval": {
      const event = await evaluate(command);
      if (exiting) return; // no reply: the kernel sees the exit instead
      // Everything the cell wrote to stderr precedes this marker.
      writeAll(
        Deno.stderr,
        encoder.encode(`${FRAME_MARK}${nonce}sync:${command.id}\n`),
      );
      send(event);
      break;
    }
    case "interrupt":
      interrupted = true;
      abortController.abort(new Interrupted());
      rejectInterrupt(new Interrupted());
      for (const pending of pendingInputs.values()) {
        pending.reject(new Interrupted());
      }
      pendingInputs.clear();
      break;
    case "input_reply": {
      const pending = pendingInputs.get(command.id);
      pendingInputs.delete(command.id);
      if (command.error !== undefined) {
        pending?.reject(new Error(command.error));
      } else pending?.resolve(command.value ?? "");
      break;
    }
    case "complete": {
      const reply = await completeAt(session, command.code, command.cursor);
      send({ type: "complete_reply", id: command.id, ...reply });
      break;
    }
    case "inspect": {
      const reply = await inspectAt(
        session,
        command.code,
        command.cursor,
        command.detail,
      );
      send({ type: "inspect_reply", id: command.id, ...reply });
      break;
    }
    default:
      command satisfies never;
  }
}

async function readCommands(): Promise<void> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of Deno.stdin.readable) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      // Commands run concurrently: an interrupt must reach a cell that awaits.
      handle(JSON.parse(line) as Command).catch((error) =>
        send({ type: "late_error", ...errorContent(error) })
      );
    }
  }
  // The kernel closed our stdin: it is gone or wants us gone.
  Deno.exit(0);
}

// Ctrl-C in the terminal that runs Jupyter reaches the whole process group:
// the kernel turns its copy into an interrupt, so the executor ignores its own.
Deno.addSignalListener("SIGINT", () => {});

send({ type: "ready" });
await readCommands();
