/**
 * The kernel process: receives requests on shell and control, answers them
 * through the handler table, publishes status and output on iopub, and
 * keeps one executor (the process that runs cells) alive through its
 * CellRunner. Handlers see it only as a HandlerContext.
 */
import type { Answers, Evaluation, Question } from "./agent_protocol.ts";
import { CellRunner, type KernelOptions } from "./cell_runner.ts";
import type { ConnectionInfo } from "./connection.ts";
import type {
  HandlerContext,
  MessageExtras,
  RequestChannel,
} from "./handler_context.ts";
import { HANDLERS, isRequestType } from "./handlers.ts";
import { History } from "./history.ts";
import { LanguageClient } from "./language_client.ts";
import type {
  SignatureInfo,
  StaticCompletions,
  SymbolInfo,
} from "./language_service.ts";
import type { CellChecks } from "./check_mode.ts";
import type { Logger } from "./log.ts";
import { replyType, tooLargeError } from "./oversized.ts";
import { iopubTopic, Session } from "./session.ts";
import { StdinChannel } from "./stdin.ts";
import {
  bindSockets,
  closeSockets,
  Outbox,
  Poller,
  type Sockets,
} from "./sockets.ts";
import { createSigner, decode, type Message, type Signer } from "./wire.ts";

export { INTERRUPT_GRACE_MS, type KernelOptions } from "./cell_runner.ts";
export type { RequestChannel } from "./handler_context.ts";

/**
 * Shell messages served as they arrive, not queued behind execute requests:
 * the comm messages, and comm_info (answered from the kernel's own record).
 */
const SERVED_AT_ONCE = new Set([
  "comm_open",
  "comm_msg",
  "comm_close",
  "comm_info_request",
]);

/** Messages larger than this are not parsed, only answered with an error (oversized.ts). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** One running kernel. */
export class Kernel implements HandlerContext {
  readonly session = new Session();
  readonly history = new History();
  readonly logger: Logger;
  readonly #options: KernelOptions;
  readonly #runner: CellRunner;
  #executionCount = 0;
  /**
   * The requests that were queued when a cell failed with stop_on_error:
   * those, and only those, are answered "aborted". A set of messages rather
   * than a flag, so that a request sent after the client saw the error
   * (which may arrive before the kernel says idle) still runs.
   */
  #abortedRequests = new WeakSet<Message>();
  #sockets!: Sockets;
  #signer!: Signer;
  #poller!: Poller;
  #outboxes!: Record<RequestChannel | "stdin" | "iopub", Outbox>;
  #shellQueue: Message[] = [];
  #shellWake: (() => void) | null = null;
  /** The language service's thread, started with the kernel. */
  #language!: LanguageClient;
  #stdin!: StdinChannel;
  /** Set at start unless options.typeCheck is "off". */
  typeChecker?: CellChecks;
  #stopped = false;
  /** Resolves when the kernel has shut down. */
  readonly done: Promise<void>;
  #markDone!: () => void;

  /** @param options how to run user code */
  constructor(options: KernelOptions) {
    this.#options = options;
    this.logger = options.logger;
    this.#runner = new CellRunner(options, {
      logger: this.logger,
      publish: (type, content, parent, extras) =>
        this.publish(type, content, parent, extras),
      requestInput: (parent, prompt, password) =>
        this.#stdin.ask(parent, prompt, password),
      stopped: () => this.#stopped,
    });
    this.done = new Promise((resolve) => this.#markDone = resolve);
  }

  /**
   * Binds the sockets, starts the executor and serves requests.
   *
   * @param info the connection info
   */
  async start(info: ConnectionInfo): Promise<void> {
    this.#signer = await createSigner(info.key);
    this.#sockets = await bindSockets(info);
    this.#outboxes = {
      shell: new Outbox(this.#sockets.shell, this.#signer),
      control: new Outbox(this.#sockets.control, this.#signer),
      stdin: new Outbox(this.#sockets.stdin, this.#signer),
      iopub: new Outbox(this.#sockets.iopub, this.#signer),
    };
    this.#stdin = new StdinChannel(
      this.session,
      this.#outboxes.stdin,
      this.logger,
    );
    this.#runner.start();
    // Started now, whatever the check mode (completion needs it too), so
    // that its warm-up runs while the notebook opens.
    this.#language = new LanguageClient(this.#options.cwd, this.logger);
    const mode = this.#options.typeCheck ?? "off";
    if (mode !== "off") this.typeChecker = this.#language.checks(mode);
    this.publish("status", { execution_state: "starting" }, null);
    this.#poller = new Poller(
      [
        {
          socket: this.#sockets.heartbeat,
          onMessage: (frames) => this.#sockets.heartbeat.send(frames),
          background: true,
        },
        {
          socket: this.#sockets.control,
          onMessage: (frames) =>
            this.#receive("control", frames, (m) => this.#serve(m, "control")),
        },
        {
          socket: this.#sockets.shell,
          onMessage: (frames) => this.#receiveShell(frames),
        },
        {
          socket: this.#sockets.stdin,
          onMessage: (frames) =>
            this.#receive("stdin", frames, (m) => this.#stdin.receive(m)),
        },
      ],
      () => this.#stopped,
      this.logger,
      () => !this.#runner.working,
    );
    this.#poller.run().catch((error) =>
      this.logger.warn(`polling the sockets failed: ${error}`)
    );
    this.#serveShell();
  }

  // ---- HandlerContext ---------------------------------------------------------

  /** @returns the count of the last stored cell */
  executionCount(): number {
    return this.#executionCount;
  }

  /** @returns the new execution count */
  countCell(): number {
    return ++this.#executionCount;
  }

  /**
   * @param request an execute request about to be served
   * @returns whether it was queued behind a cell that failed with stop_on_error
   */
  isAborted(request: Message): boolean {
    return this.#abortedRequests.has(request);
  }

  /** @param request the execute request whose cell runs now */
  beginRequest(request: Message): void {
    this.#runner.beginRequest(request);
  }

  /**
   * @param code TypeScript
   * @param name how tracebacks call it
   * @returns the evaluation
   */
  run(code: string, name: string): Promise<Evaluation> {
    return this.#runner.run(code, name);
  }

  /**
   * @param question the command
   * @param timeoutMs how long a busy executor may take
   * @returns the answer, or null
   */
  ask<Q extends Question>(
    question: Q,
    timeoutMs: number,
  ): Promise<Answers[Q["op"]] | null> {
    return this.#runner.ask(question, timeoutMs);
  }

  /**
   * @param code the code
   * @returns its completeness
   */
  completeness(
    code: string,
  ): Promise<
    { status: "complete" | "incomplete" | "invalid"; indent?: string }
  > {
    return this.#runner.completeness(code);
  }

  /**
   * @param code the code
   * @param index a UTF-16 index
   * @param withSource also the declaration's source
   * @returns the symbol there, or null
   */
  async quickInfo(
    code: string,
    index: number,
    withSource = false,
  ): Promise<SymbolInfo | null> {
    return await this.#language.quickInfo(code, index, withSource);
  }

  /**
   * @param code the code
   * @param index a UTF-16 index
   * @param withSource also the callee's source
   * @returns the enclosing call's signature, or null
   */
  async signatureHelp(
    code: string,
    index: number,
    withSource = false,
  ): Promise<SignatureInfo | null> {
    return await this.#language.signatureHelp(code, index, withSource);
  }

  /**
   * @param code the cell being typed
   * @param index a UTF-16 index
   * @returns the language service's completions, or null
   */
  async completions(
    code: string,
    index: number,
  ): Promise<StaticCompletions | null> {
    return await this.#language.completions(code, index);
  }

  /** @param code a cell that ran, for the language service (checks and completion) */
  addRanCell(code: string): void {
    this.#language.add(code);
  }

  // ---- Outputs ---------------------------------------------------------------

  /**
   * Sends a reply on the request's channel.
   *
   * @param request the request
   * @param channel where it came from
   * @param msgType the reply type
   * @param content the reply content
   */
  async reply(
    request: Message,
    channel: RequestChannel,
    msgType: string,
    content: Record<string, unknown>,
  ): Promise<void> {
    const message = this.session.reply(request, msgType, content);
    await this.#outboxes[channel].send(message);
  }

  /**
   * Publishes on iopub. Printed text waiting in the stream buffer goes first.
   *
   * @param msgType e.g. "display_data"
   * @param content the content
   * @param parent the request this belongs to
   * @param extras the message's metadata and binary buffers
   */
  async publish(
    msgType: string,
    content: Record<string, unknown>,
    parent: Message | null,
    extras: MessageExtras = {},
  ): Promise<void> {
    if (msgType !== "stream" && msgType !== "update_display_data") {
      this.#runner.flushOutput();
    }
    const message = this.session.message(
      msgType,
      content,
      parent,
      [iopubTopic(msgType)],
      extras.metadata,
    );
    message.buffers = extras.buffers ?? [];
    // Messages leave in call order (the outbox queues them), so callers may
    // go on without awaiting; a failed send is logged, never thrown.
    await this.#outboxes.iopub.send(message).catch((error) =>
      this.logger.warn(`cannot publish ${msgType}: ${error}`)
    );
  }

  /**
   * @param request a frontend comm message, for the executor now
   * @returns once the executor has called its handlers (or timed out)
   */
  forwardComm(request: Message): Promise<void> {
    return this.#runner.forwardComm(request);
  }

  /**
   * @param targetName only those of this target, when given
   * @returns the open comms
   */
  openComms(targetName?: string): Record<string, { target_name: string }> {
    return this.#runner.openComms(targetName);
  }

  /** Interrupts the running cell (and a pending input request). */
  async interrupt(): Promise<void> {
    this.#stdin.cancel(new Error("Interrupted"));
    await this.#runner.interrupt();
  }

  /**
   * After an error with stop_on_error: marks the requests queued now, which
   * `isAborted` then reports, so that execute answers them "aborted". Those
   * readable in libzmq are pulled into the queue first (by the poller, the
   * socket's only reader), so a fast failing cell cannot outrun the batch
   * behind it; one still in flight on the wire runs, as in ipykernel.
   */
  async abortQueued(): Promise<void> {
    await this.#poller.drain(this.#sockets.shell);
    for (const queued of this.#shellQueue) this.#abortedRequests.add(queued);
  }

  /** Stops the executor, closes the sockets and ends the kernel. */
  async shutdown(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#language?.close();
    await this.#runner.stop();
    // Give libzmq a moment to flush the shutdown reply before closing.
    await new Promise((r) => setTimeout(r, 50));
    closeSockets(this.#sockets);
    this.#markDone();
  }

  // ---- private ---------------------------------------------------------------

  async #receiveShell(frames: Uint8Array[]): Promise<void> {
    await this.#receive("shell", frames, (message) => {
      if (SERVED_AT_ONCE.has(message.header.msg_type)) {
        // Not behind a running execute_request: a widget's click must
        // reach the cell while it runs.
        this.#serveAtOnce(message);
        return;
      }
      this.#shellQueue.push(message);
      this.#shellWake?.();
    });
  }

  // Control requests must not wait for each other's handlers (an interrupt
  // waits for the cell), so onMessage is not awaited.
  async #receive(
    channel: string,
    frames: Uint8Array[],
    onMessage: (m: Message) => void,
  ): Promise<void> {
    const size = frames.reduce((n, f) => n + f.length, 0);
    if (size > MAX_MESSAGE_BYTES) {
      await this.#refuseTooLarge(channel, frames, size);
      return;
    }
    const decoded = await decode(frames, this.#signer);
    if (!decoded.ok) {
      this.logger.warn(
        `dropped a message on ${channel}: ${decoded.reason}${
          decoded.detail ? ` (${decoded.detail})` : ""
        }`,
      );
      return;
    }
    this.logger.debug(`${channel} <- ${decoded.message.header.msg_type}`);
    onMessage(decoded.message);
  }

  async #refuseTooLarge(
    channel: string,
    frames: Uint8Array[],
    size: number,
  ): Promise<void> {
    const error = tooLargeError(size, MAX_MESSAGE_BYTES);
    this.logger.warn(`refused a ${size}-byte message on ${channel}`);
    const decoded = await decode(frames, this.#signer, "envelope");
    const request = decoded.ok ? decoded.message : null;
    const type = request && replyType(request);
    if (!request || !type || (channel !== "shell" && channel !== "control")) {
      // No request to answer: whoever waits can only learn it here.
      this.publish(
        "stream",
        { name: "stderr", text: `${error.evalue}\n` },
        null,
      );
      return;
    }
    this.publish("status", { execution_state: "busy" }, request);
    if (type === "execute_reply") this.publish("error", error, request);
    const count = type === "execute_reply"
      ? { execution_count: this.#executionCount }
      : {};
    await this.reply(request, channel, type, {
      status: "error",
      ...count,
      ...error,
    });
    this.publish("status", { execution_state: "idle" }, request);
  }

  async #serveShell(): Promise<void> {
    while (!this.#stopped) {
      const message = this.#shellQueue.shift();
      if (!message) {
        await new Promise<void>((resolve) => this.#shellWake = resolve);
        this.#shellWake = null;
        continue;
      }
      await this.#serve(message, "shell");
    }
  }

  async #serveAtOnce(message: Message): Promise<void> {
    await this.#serve(message, "shell");
    // That idle (which ipywidgets waits for before it sends a widget's next
    // update) reads as "the kernel is idle" to a frontend that tracks status
    // without parents (JupyterLab's indicator): while a cell runs, say busy
    // again, for the cell.
    const cell = this.#runner.currentRequest;
    if (this.#runner.running && cell) {
      this.publish("status", { execution_state: "busy" }, cell);
    }
  }

  async #serve(message: Message, channel: RequestChannel): Promise<void> {
    const type = message.header.msg_type;
    if (!isRequestType(type)) {
      this.logger.warn(
        `ignored unknown message type ${JSON.stringify(type)} on ${channel}`,
      );
      return;
    }
    this.publish("status", { execution_state: "busy" }, message);
    try {
      await HANDLERS[type](this, message, channel);
    } catch (error) {
      // A handler bug or a malformed request must not take the kernel down.
      this.logger.warn(
        `${type} failed: ${error instanceof Error ? error.stack : error}`,
      );
    }
    this.publish("status", { execution_state: "idle" }, message);
    this.#runner.endRequest(message);
  }
}
