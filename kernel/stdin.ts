/**
 * The stdin channel (spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html#messages-on-the-stdin-router-dealer-channel):
 * the kernel asks the client with input_request and takes the input_reply
 * to the question asked now, one at a time.
 */
import type { Logger } from "./log.ts";
import type { Session } from "./session.ts";
import type { Outbox } from "./sockets.ts";
import type { Message } from "./wire.ts";

/** Questions to the client and their answers. */
export class StdinChannel {
  readonly #session: Session;
  readonly #outbox: Outbox;
  readonly #logger: Logger;
  #pending: {
    request: Message;
    resolve: (value: string) => void;
    reject: (error: Error) => void;
  } | null = null;

  /**
   * @param session makes the messages
   * @param outbox the stdin socket's outbox
   * @param logger where ignored replies are logged
   */
  constructor(session: Session, outbox: Outbox, logger: Logger) {
    this.#session = session;
    this.#outbox = outbox;
    this.#logger = logger;
  }

  /**
   * Asks the client for input.
   *
   * @param parent the execute request (its identities route the message)
   * @param prompt the question
   * @param password hide the typed text
   * @returns the typed text
   */
  async ask(
    parent: Message,
    prompt: string,
    password: boolean,
  ): Promise<string> {
    const message = this.#session.message(
      "input_request",
      { prompt, password },
      parent,
      parent.identities,
    );
    const answer = new Promise<string>((resolve, reject) =>
      this.#pending = { request: message, resolve, reject }
    );
    await this.#outbox.send(message);
    try {
      return await answer;
    } finally {
      this.#pending = null;
    }
  }

  /**
   * Ends the pending question, if any (on interrupt).
   *
   * @param error why
   */
  cancel(error: Error): void {
    this.#pending?.reject(error);
  }

  /**
   * Takes a message received on stdin.
   *
   * @param message the message
   */
  receive(message: Message): void {
    if (message.header.msg_type !== "input_reply") {
      this.#logger.warn(`ignored ${message.header.msg_type} on stdin`);
      return;
    }
    // Only the answer to the question asked now: a stale reply (to an
    // interrupted prompt) must not become what the next input() returns.
    // jupyter_client's input() sends no parent header, so none is accepted.
    const pending = this.#pending;
    const parentId = message.parent_header?.msg_id;
    if (!pending || (parentId && parentId !== pending.request.header.msg_id)) {
      this.#logger.warn(
        "ignored an input_reply whose parent is not the pending input_request",
      );
      return;
    }
    const value = message.content.value;
    pending.resolve(typeof value === "string" ? value : "");
  }
}
