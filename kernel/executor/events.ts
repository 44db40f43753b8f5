/**
 * The agent's half of the channel to the kernel (see ../agent_protocol.ts):
 * event frames on stdout and sync markers on stderr, each written
 * synchronously, so they stay in order with everything a cell prints.
 */
import type { AgentEvent } from "../agent_protocol.ts";
import { FRAME_MARK } from "../agent_protocol.ts";

/** The executor's nonce: the kernel's first argument to the agent. */
const nonce = Deno.args[0] ?? "";
const encoder = new TextEncoder();

// Saved before cell_globals.ts makes a cell's stderr writes turns.
const rawWrite = {
  stdout: Deno.stdout.writeSync.bind(Deno.stdout),
  stderr: Deno.stderr.writeSync.bind(Deno.stderr),
};

/**
 * Writes all bytes synchronously, so frames stay in order with console output.
 *
 * @param file the pipe
 * @param bytes what to write
 */
export function writeAll(
  file: typeof Deno.stdout | typeof Deno.stderr,
  bytes: Uint8Array,
): void {
  const write = file === Deno.stdout ? rawWrite.stdout : rawWrite.stderr;
  let offset = 0;
  while (offset < bytes.length) {
    offset += write(bytes.subarray(offset));
  }
}

/**
 * Sends one event to the kernel.
 *
 * @param event the event
 */
export function send(event: AgentEvent): void {
  writeAll(
    Deno.stdout,
    encoder.encode(FRAME_MARK + nonce + JSON.stringify(event) + "\n"),
  );
}

/**
 * Writes the sync marker of an evaluation to stderr: once the kernel has
 * read it, it has read all the cell wrote to stderr before.
 *
 * @param id the evaluation's id
 */
export function sendSync(id: string): void {
  writeAll(Deno.stderr, encoder.encode(`${FRAME_MARK}${nonce}sync:${id}\n`));
}

let turns = 0;
let inTurn = false;

/**
 * Runs a write of a cell to stderr as a turn (see agent_protocol.ts), so
 * the kernel publishes it in its place among stdout text.
 *
 * @param write the write (console.error, Deno.stderr.writeSync)
 * @returns what the write returned
 */
export function stderrTurn<T>(write: () => T): T {
  if (inTurn) return write(); // console.assert calls console.error
  const n = ++turns;
  writeAll(Deno.stdout, encoder.encode(`${FRAME_MARK}${nonce}turn:${n}\n`));
  writeAll(Deno.stderr, encoder.encode(`${FRAME_MARK}${nonce}from:${n}\n`));
  inTurn = true;
  try {
    return write();
  } finally {
    inTurn = false;
    writeAll(Deno.stderr, encoder.encode(`${FRAME_MARK}${nonce}end:${n}\n`));
  }
}

// A display can be sent from where V8 forbids calling into JavaScript: the
// continuation of an un-awaited display() may run in a microtask checkpoint
// inside Runtime.evaluate, and a large frame written there aborted Deno 2.9.6
// ("Invoke in DisallowJavascriptExecutionScope"). So displays leave from a
// task of their own (a MessageChannel message: microseconds, where a timer
// costs milliseconds), in call order.
const channel = new MessageChannel();
const waiting: { event: AgentEvent | null; sent: () => void }[] = [];
let lastQueued: Promise<void> = Promise.resolve();
channel.port1.onmessage = () => {
  const next = waiting.shift();
  if (!next) return;
  try {
    if (next.event) send(next.event);
  } finally {
    next.sent();
  }
};
// The port alone must not keep the executor alive.
(channel.port1 as unknown as { unref?: () => void }).unref?.();

/**
 * Sends an event from a task of its own, after the events queued before it.
 *
 * @param event the event (a display)
 * @returns a promise that resolves once it has been written
 */
export function sendFromTask(event: AgentEvent): Promise<void> {
  const sent = new Promise<void>((resolve) =>
    waiting.push({ event, sent: resolve })
  );
  lastQueued = sent;
  channel.port2.postMessage(null);
  return sent;
}

/**
 * Resolves from a fresh task: code after an inspector reply continues
 * outside the inspector's dispatch (see above).
 *
 * @returns the promise
 */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push({ event: null, sent: resolve });
    channel.port2.postMessage(null);
  });
}

/**
 * Resolves once every event queued by sendFromTask so far has been written:
 * a cell's reply waits for its displays.
 *
 * @returns the promise
 */
export function queuedSent(): Promise<void> {
  return lastQueued;
}
