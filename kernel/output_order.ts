/**
 * Keeps a cell's iopub output in the order the cell made it, while printed
 * text (StreamBuffer) and display updates (UpdateBuffer) are each held back
 * to be coalesced. The rule: whatever is buffered is older than anything not
 * yet buffered, and text buffered is older than updates buffered. So text
 * that arrives while updates wait sends those first, and a flush sends text
 * before updates.
 */
import { StreamBuffer, type StreamName } from "./stream_buffer.ts";
import { UpdateBuffer } from "./update_buffer.ts";

/** Where ordered output goes. */
export interface OrderedSink {
  stream(name: StreamName, text: string): void;
  update(content: Record<string, unknown>): void;
}

/** Printed text and display updates, coalesced, in the cell's order. */
export class OutputOrder {
  readonly #streams: StreamBuffer;
  readonly #updates: UpdateBuffer;

  /** @param sink publishes one stream or update_display_data content */
  constructor(sink: OrderedSink) {
    this.#streams = new StreamBuffer((name, text) => sink.stream(name, text));
    this.#updates = new UpdateBuffer((content) => sink.update(content));
  }

  /**
   * Adds printed text.
   *
   * @param name the stream
   * @param text the text
   */
  write(name: StreamName, text: string): void {
    if (this.#updates.pending) this.flush();
    this.#streams.write(name, text);
  }

  /**
   * Adds a display update, replacing a waiting one for the same id.
   *
   * @param displayId the display id
   * @param content the update_display_data content
   */
  update(displayId: string, content: Record<string, unknown>): void {
    this.#updates.add(displayId, content);
  }

  /** Sends everything buffered: text first, as it is the older. */
  flush(): void {
    this.#streams.flush();
    this.#updates.flush();
  }
}
