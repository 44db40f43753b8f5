/**
 * Coalesces printed text into few stream messages: a cell printing 10,000
 * lines should cost a handful of iopub messages, not 10,000. Text is held
 * for at most `delayMs`, or until `maxChars` pile up, or until something
 * else must be published after it (a display, the result, idle).
 */

/** A stream name as Jupyter knows it. */
export type StreamName = "stdout" | "stderr";

/** Buffers text per stream and hands it to `publish` in order. */
export class StreamBuffer {
  readonly #publish: (name: StreamName, text: string) => void;
  readonly #delayMs: number;
  readonly #maxChars: number;
  #name: StreamName | null = null;
  #text = "";
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param publish sends one stream message
   * @param delayMs how long text may wait for more
   * @param maxChars flush once this much is buffered
   */
  constructor(
    publish: (name: StreamName, text: string) => void,
    delayMs = 50,
    maxChars = 256 * 1024,
  ) {
    this.#publish = publish;
    this.#delayMs = delayMs;
    this.#maxChars = maxChars;
  }

  /**
   * Adds text; switching streams flushes the other one first, so stdout and
   * stderr keep the order they arrived in.
   *
   * @param name the stream
   * @param text the text
   */
  write(name: StreamName, text: string): void {
    if (text === "") return;
    if (this.#name !== null && this.#name !== name) this.flush();
    this.#name = name;
    this.#text += text;
    if (this.#text.length >= this.#maxChars) this.flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), this.#delayMs);
    }
  }

  /** Publishes whatever is buffered now. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#name !== null && this.#text !== "") {
      this.#publish(this.#name, this.#text);
    }
    this.#name = null;
    this.#text = "";
  }
}
