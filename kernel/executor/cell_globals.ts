/**
 * What a cell finds in its global scope besides Deno's: the display helpers,
 * `plot`, `input`, `comms`, browser-style `prompt`/`confirm`/`alert`, the hooks the
 * transpiled code calls (AWAIT_HOOK, RESOLVE_HOOK), and a Deno.exit that
 * the inspector survives.
 */
import type { Command } from "../agent_protocol.ts";
import {
  AWAIT_HOOK,
  folderUrl,
  RESOLVE_HOOK,
  resolveSpecifier,
} from "../agent_protocol.ts";
import {
  clearOutput,
  display,
  type DisplaySink,
  html,
  image,
  md,
  SINK_KEY,
  svg,
} from "./display.ts";
import { CommManager, COMMS_KEY } from "./comms.ts";
import { send, sendFromTask, stderrTurn } from "./events.ts";
import { awaitHook } from "./interrupt.ts";
import { plot } from "./plotly.ts";

/** Where the kernel writes answers to prompt(): the agent's second argument. */
const replyFolder = Deno.args[1] ?? "";

const sink: DisplaySink = {
  display: (request) => sendFromTask({ type: "display", ...request }),
  clearOutput: (wait) => send({ type: "clear", wait }),
};

/**
 * The executor's comm manager: the cell global `comms`, and
 * `globalThis[COMMS_KEY]` for library code (lib/comms.ts's kernelComms()).
 */
export const comms: CommManager = new CommManager({
  send: (frame) => sendFromTask({ type: "comm", ...frame }),
  cellError: (text) => console.error(text),
  log: (text) => sendFromTask({ type: "log", text }),
});

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

/** RESOLVE_HOOK: computed specifiers resolve as the transpiler resolves literal ones. */
function resolveComputed(specifier: unknown): string {
  return resolveSpecifier(String(specifier), folderUrl(Deno.cwd()));
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
  comms,
  prompt: syncPrompt,
  confirm: (message?: unknown) =>
    /^\s*y(es)?\s*$/i.test(syncPrompt(`${message ?? ""} [y/N]`) ?? ""),
  alert: (message?: unknown) =>
    console.log(message === undefined ? "" : String(message)),
};
/**
 * Makes the ways a cell writes to stderr turns (events.ts), so stderr keeps
 * its order with stdout. The agent's own stderr writes (sync markers) go
 * through writeAll, on the saved method.
 */
function orderStderr(): void {
  for (const name of ["error", "warn", "trace", "assert"] as const) {
    const original = console[name].bind(console) as (...a: unknown[]) => void;
    console[name] = (...args: unknown[]) => stderrTurn(() => original(...args));
  }
  const writeSync = Deno.stderr.writeSync.bind(Deno.stderr);
  Object.defineProperty(Deno.stderr, "writeSync", {
    value: (bytes: Uint8Array) => stderrTurn(() => writeSync(bytes)),
    configurable: true,
    writable: true,
  });
}

/** Defines the cell globals and the hooks the transpiled code calls. */
export function installCellGlobals(): void {
  orderStderr();
  for (const [name, value] of Object.entries(cellGlobals)) {
    Object.defineProperty(globalThis, name, {
      value,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  for (
    const [name, value] of [
      [AWAIT_HOOK, awaitHook],
      [
        RESOLVE_HOOK,
        resolveComputed,
      ],
      [SINK_KEY, sink],
      [COMMS_KEY, comms],
    ] as const
  ) {
    Object.defineProperty(globalThis, name, {
      value,
      writable: false,
      configurable: false,
      enumerable: false,
    });
  }
}

// Deno 2.9.6 panics ("RefCell already mutably borrowed" in inspector.rs) when
// Deno.exit runs inside Runtime.evaluate. So a cell's exit stops the cell
// with an error and exits for real on the next turn of the event loop; the
// kernel then reports the exit code as for any other executor death.
// The agent's own exits (no inspector, stdin closed) use the real one: through
// the override they would throw, and reach the kernel as a late error.
const realExit = Deno.exit;
let exiting = false;

/**
 * Ends the executor process at once (the agent's own exits, never a cell's).
 *
 * @param code the exit code
 */
export function exitExecutor(code: number): never {
  return realExit(code);
}

/**
 * Whether a cell called Deno.exit: its evaluation gets no reply, the kernel
 * sees the exit instead.
 *
 * @returns true once a cell asked to exit
 */
export function isExiting(): boolean {
  return exiting;
}

Object.defineProperty(Deno, "exit", {
  value: (code?: number): never => {
    exiting = true;
    setTimeout(() => realExit(code));
    throw new Error(`Deno.exit(${code ?? ""}) called: the executor is exiting`);
  },
});

/**
 * Settles a pending `input()` with the kernel's answer.
 *
 * @param command the input_reply command
 */
export function answerInput(
  command: Extract<Command, { op: "input_reply" }>,
): void {
  const pending = pendingInputs.get(command.id);
  pendingInputs.delete(command.id);
  if (command.error !== undefined) {
    pending?.reject(new Error(command.error));
  } else pending?.resolve(command.value ?? "");
}

/**
 * Rejects every pending `input()` (on interrupt).
 *
 * @param error the reason
 */
export function rejectInputs(error: Error): void {
  for (const pending of pendingInputs.values()) pending.reject(error);
  pendingInputs.clear();
}
