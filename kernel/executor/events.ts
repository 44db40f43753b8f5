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

/** Writes all bytes synchronously, so frames stay in order with console output. */
export function writeAll(
  file: typeof Deno.stdout | typeof Deno.stderr,
  bytes: Uint8Array,
): void {
  let offset = 0;
  while (offset < bytes.length) {
    offset += file.writeSync(bytes.subarray(offset));
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
