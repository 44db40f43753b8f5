/**
 * Coalesces update_display_data: a training loop may update its progress
 * display thousands of times a second, and only the latest state of each
 * display id matters. Updates wait at most `delayMs`. This buffer keeps
 * order only among updates; their order with printed text and other output
 * is output_order.ts's concern.
 */

/** Holds the latest update per display id. */
export class UpdateBuffer {
  readonly #publish: (content: Record<string, unknown>) => void;
  readonly #delayMs: number;
  readonly #pending = new Map<string, Record<string, unknown>>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param publish sends one update_display_data content
   * @param delayMs how long an update may wait for a newer one
   */
  constructor(
    publish: (content: Record<string, unknown>) => void,
    delayMs = 30,
  ) {
    this.#publish = publish;
    this.#delayMs = delayMs;
  }

  /**
   * Queues an update, replacing a waiting one for the same display id.
   *
   * @param displayId the display id
   * @param content the update_display_data content
   */
  add(displayId: string, content: Record<string, unknown>): void {
    // Re-inserting moves the id to the end: updates keep their latest order.
    this.#pending.delete(displayId);
    this.#pending.set(displayId, content);
    this.#timer ??= setTimeout(() => this.flush(), this.#delayMs);
  }

  /** Whether any update is waiting. */
  get pending(): boolean {
    return this.#pending.size > 0;
  }

  /** Sends every waiting update now. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const waiting = [...this.#pending.values()];
    this.#pending.clear();
    for (const content of waiting) this.#publish(content);
  }
}
