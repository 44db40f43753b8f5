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
