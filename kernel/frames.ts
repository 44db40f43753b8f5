/**
 * Splits an executor's output pipe into printed text and agent frames
 * (see agent_protocol.ts for the framing). Pure and incremental: a frame may
 * arrive split across any number of chunks.
 */
import { FRAME_MARK } from "./agent_protocol.ts";

/**
 * A piece of an output pipe: printed text, an event frame's JSON, a sync
 * marker, or a turn marker (stderr text bracketed so that it keeps its place
 * among stdout text: see agent_protocol.ts).
 */
export type Piece =
  | { kind: "text"; text: string }
  | { kind: "frame"; json: string }
  | { kind: "sync"; id: string }
  | { kind: "turn"; mark: TurnMark; n: number };

/** "turn" on stdout: stderr turn n goes here; "from"/"end" on stderr: its text begins/ends. */
export type TurnMark = "turn" | "from" | "end";

const TURN = /^(turn|from|end):(\d+)$/;

/** Incremental splitter for one pipe. */
export class FrameSplitter {
  readonly #marker: string;
  readonly #decoder = new TextDecoder(); // invalid UTF-8 (binary garbage) becomes U+FFFD
  #pending = "";
  /**
   * The chunks of a frame whose newline has not come yet. Kept apart, not
   * appended to #pending: searching a string grown by `+=` flattens (copies)
   * it, so a frame of megabytes (a comm message with an image) in 64 KiB
   * chunks cost quadratic time.
   */
  #open: string[] = [];

  /** @param nonce the executor's random nonce */
  constructor(nonce: string) {
    this.#marker = FRAME_MARK + nonce;
  }

  /**
   * Feeds bytes; returns the complete pieces they finish.
   *
   * @param bytes the next chunk (empty at end of stream to flush a split character)
   * @returns text and frames, in order
   */
  push(bytes: Uint8Array): Piece[] {
    const text = this.#decoder.decode(bytes, { stream: bytes.length > 0 });
    if (this.#open.length > 0) {
      // A frame's JSON holds no raw newline: the first one ends it.
      if (!text.includes("\n")) {
        this.#open.push(text);
        return [];
      }
      this.#pending = this.#open.join("") + text;
      this.#open = [];
    } else this.#pending += text;
    const pieces: Piece[] = [];
    for (;;) {
      const start = this.#pending.indexOf(this.#marker);
      if (start < 0) break;
      const end = this.#pending.indexOf("\n", start);
      if (end < 0) break; // the frame is not complete yet
      if (start > 0) {
        pieces.push({ kind: "text", text: this.#pending.slice(0, start) });
      }
      const body = this.#pending.slice(start + this.#marker.length, end);
      const turn = TURN.exec(body);
      pieces.push(
        body.startsWith("sync:")
          ? { kind: "sync", id: body.slice(5) }
          : turn
          ? { kind: "turn", mark: turn[1] as TurnMark, n: Number(turn[2]) }
          : { kind: "frame", json: body },
      );
      this.#pending = this.#pending.slice(end + 1);
    }
    // Hand out text now, except a tail that could be the start of a frame.
    const frameStart = this.#pending.indexOf(this.#marker);
    const keep = frameStart >= 0
      ? frameStart
      : partialMarkerStart(this.#pending, this.#marker);
    if (keep > 0) {
      pieces.push({ kind: "text", text: this.#pending.slice(0, keep) });
      this.#pending = this.#pending.slice(keep);
    }
    if (frameStart >= 0) {
      this.#open = [this.#pending];
      this.#pending = "";
    }
    return pieces;
  }
}

/** Where a suffix of text that is a prefix of marker begins (text.length when none). */
function partialMarkerStart(text: string, marker: string): number {
  const from = text.lastIndexOf(marker[0], text.length - 1);
  if (from >= 0 && marker.startsWith(text.slice(from))) return from;
  return text.length;
}
