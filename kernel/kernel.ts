/**
 * The kernel process: receives requests on shell and control, answers them
 * through the handler table, publishes status and output on iopub, and
 * keeps one executor (the process that runs cells) alive.
 */
import type { ConnectionInfo } from "./connection.ts";
import {
  type AgentEvent,
  type ErrorContent,
  folderUrl,
} from "./agent_protocol.ts";
import { type Evaluation, Executor, ExecutorDied } from "./executor_process.ts";
import { History } from "./history.ts";
import type { Logger } from "./log.ts";
import { iopubTopic, Session } from "./session.ts";
import {
  bindSockets,
  closeSockets,
  Outbox,
  pollSockets,
  type Sockets,
} from "./sockets.ts";
import { StreamBuffer } from "./stream_buffer.ts";
import { UpdateBuffer } from "./update_buffer.ts";
import { createSigner, decode, type Message, type Signer } from "./wire.ts";
import { HANDLERS, isRequestType } from "./handlers.ts";
import type { CellSyntaxError, TranspiledCell } from "./transpile.ts";
import type { CellTypes } from "./language_service.ts";

/** Messages larger than this are dropped unread (a cell's code is never near it). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** How long an interrupted cell may take to stop before its executor is restarted. */
export const INTERRUPT_GRACE_MS = 1000;

/** How the kernel runs user code. */
export interface KernelOptions {
  /** The notebook's folder. */
  cwd: string;
  /** Deno permission flags for the executor. */
  permissions: string[];
  /** Extra `deno run` flags for the executor. */
  denoFlags: string[];
  logger: Logger;
}

/** The channel a request came on, which its reply goes back on. */
export type RequestChannel = "shell" | "control";

type Transpiler = typeof import("./transpile.ts");

/** One running kernel. */
export class Kernel {
  readonly session = new Session();
  readonly history = new History();
  readonly logger: Logger;
  readonly options: KernelOptions;
  /** The execution counter: the count of the last stored cell. */
  executionCount = 0;
  /** Set after an error with stop_on_error: queued execute requests are aborted. */
  aborting = false;
  /** The execute request whose cell runs now, or ran last: late output goes to it. */
  currentRequest: Message | null = null;
  /** Whether a cell is running now. */
  running = false;
  #executor!: Executor;
  #sockets!: Sockets;
  #signer!: Signer;
  #outboxes!: Record<RequestChannel | "stdin" | "iopub", Outbox>;
  #streams: StreamBuffer;
  #updates: UpdateBuffer;
  #shellQueue: Message[] = [];
  #shellInFlight = 0;
  #shellWake: (() => void) | null = null;
  #transpiler: Promise<Transpiler>;
  #cellTypes: Promise<CellTypes> | undefined;
  #transpiled = new Map<string, TranspiledCell | CellSyntaxError>();
  #ranCells: string[] = [];
  #restartNote: string | null = null;
  #failedStarts = 0;
  #pendingInput: {
    resolve: (value: string) => void;
    reject: (error: Error) => void;
  } | null = null;
  #stopped = false;
  /** Resolves when the kernel has shut down. */
  readonly done: Promise<void>;
  #markDone!: () => void;

  /** @param options how to run user code */
  constructor(options: KernelOptions) {
    this.options = options;
    this.logger = options.logger;
    this.#streams = new StreamBuffer((name, text) =>
      this.publish("stream", { name, text }, this.currentRequest)
    );
    this.#updates = new UpdateBuffer((content) =>
      this.publish("update_display_data", content, this.currentRequest)
    );
    this.done = new Promise((resolve) => this.#markDone = resolve);
    // TypeScript takes a moment to load: start now, need it at the first cell.
    this.#transpiler = import("./transpile.ts");
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
    this.#startExecutor();
    this.publish("status", { execution_state: "starting" }, null);
    pollSockets(
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
            this.#receive("stdin", frames, (m) => this.#onStdin(m)),
        },
      ],
      () => this.#stopped,
      () => !this.running,
    ).catch((error) =>
      this.logger.warn(`polling the sockets failed: ${error}`)
    );
    this.#serveShell();
  }

  /** The executor now running (a new one after each restart). */
  get executor(): Executor {
    return this.#executor;
  }

  /** The language service over the cells run so far (loaded at first use). */
  cellTypes(): Promise<CellTypes> {
    this.#cellTypes ??= import("./language_service.ts").then(
      ({ CellTypes }) => {
        const types = new CellTypes(this.options.cwd);
        for (const cell of this.#ranCells) types.addCell(cell);
        this.#ranCells = [];
        return types;
      },
    );
    return this.#cellTypes;
  }

  /**
   * Remembers a cell that ran without error, for the language service.
   *
   * @param code the cell
   */
  addRanCell(code: string): void {
    if (this.#cellTypes) this.#cellTypes.then((types) => types.addCell(code));
    else this.#ranCells.push(code);
  }

  /** Loads (once) and returns the TypeScript cell transpiler. */
  transpiler(): Promise<Transpiler> {
    return this.#transpiler;
  }

  /**
   * Transpiles a cell.
   *
   * @param code the cell
   * @returns the JavaScript and map, or the syntax error
   */
  async transpile(code: string): Promise<TranspiledCell | CellSyntaxError> {
    // transpileModule costs ~2 ms even for "1"; notebooks re-run the same
    // cells, and user_expressions repeat, so keep recent results.
    const cached = this.#transpiled.get(code);
    if (cached) return cached;
    const { transpileCell } = await this.#transpiler;
    const cell = transpileCell(
      code,
      folderUrl(this.options.cwd),
    );
    if (this.#transpiled.size >= 256) {
      this.#transpiled.delete(this.#transpiled.keys().next().value!);
    }
    this.#transpiled.set(code, cell);
    return cell;
  }

  /**
   * Evaluates a transpiled cell, turning an executor death into an error result.
   *
   * @param command the eval command
   * @returns the evaluation (an error one when the executor died)
   */
  async evaluate(
    command: Parameters<Executor["evaluate"]>[0],
  ): Promise<Evaluation> {
    this.running = true;
    try {
      return await this.#executor.evaluate(command);
    } catch (error) {
      if (!(error instanceof ExecutorDied)) throw error;
      const evalue = this.#restartNote ?? error.message;
      this.#restartNote = null;
      return {
        type: "done",
        id: command.id,
        status: "error",
        ename: "ExecutorDied",
        evalue,
        traceback: [`ExecutorDied: ${evalue}`],
      };
    } finally {
      this.running = false;
      this.#updates.flush();
      this.#streams.flush();
    }
  }

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
   */
  async publish(
    msgType: string,
    content: Record<string, unknown>,
    parent: Message | null,
  ): Promise<void> {
    if (msgType !== "stream" && msgType !== "update_display_data") {
      this.#updates.flush();
      this.#streams.flush();
    }
    const message = this.session.message(msgType, content, parent, [
      iopubTopic(msgType),
    ]);
    // Messages leave in call order (the outbox queues them), so callers may
    // go on without awaiting; a failed send is logged, never thrown.
    await this.#outboxes.iopub.send(message).catch((error) =>
      this.logger.warn(`cannot publish ${msgType}: ${error}`)
    );
  }

  /**
   * Publishes an error output (the `error` iopub message).
   *
   * @param error the error
   * @param parent the request it belongs to
   */
  publishError(error: ErrorContent, parent: Message | null): Promise<void> {
    return this.publish("error", {
      ename: error.ename,
      evalue: error.evalue,
      traceback: error.traceback,
    }, parent);
  }

  /**
   * Interrupts the running cell: an async one stops at its next await; one
   * stuck in synchronous code gets its executor restarted after a grace period.
   */
  async interrupt(): Promise<void> {
    this.#pendingInput?.reject(new Error("Interrupted"));
    if (!this.running) return;
    this.logger.debug("interrupting the running cell");
    this.#executor.send({ op: "interrupt" });
    const deadline = Date.now() + INTERRUPT_GRACE_MS;
    while (this.running && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (this.running) {
      this.restartExecutor(
        "The cell was busy in synchronous code and could not be interrupted, so the executor was restarted " +
          "and its state was lost: run the cells that define what you need again",
      );
    }
  }

  /**
   * Replaces the executor with a fresh one.
   *
   * @param note what the interrupted cell's error says
   */
  restartExecutor(note: string): void {
    this.#restartNote = note;
    const old = this.#executor;
    old.kill();
    this.#startExecutor();
  }

  /**
   * Asks the client for input on the stdin channel.
   *
   * @param parent the execute request (its identities route the message)
   * @param prompt the question
   * @param password hide the typed text
   * @returns the typed text
   */
  async requestInput(
    parent: Message,
    prompt: string,
    password: boolean,
  ): Promise<string> {
    const message = this.session.message(
      "input_request",
      { prompt, password },
      parent,
      parent.identities,
    );
    const answer = new Promise<string>((resolve, reject) =>
      this.#pendingInput = { resolve, reject }
    );
    await this.#outboxes.stdin.send(message);
    try {
      return await answer;
    } finally {
      this.#pendingInput = null;
    }
  }

  /**
   * After an error with stop_on_error: every execute request the client sent
   * before it could see the error is answered "aborted". Those still waiting
   * in libzmq are pulled into the queue first, so a fast failing cell cannot
   * outrun the batch behind it.
   */
  async abortQueued(): Promise<void> {
    this.aborting = true;
    const shell = this.#sockets.shell;
    while (!shell.closed && shell.readable) {
      await this.#receiveShell(await shell.receive());
    }
  }

  /** Stops the executor, closes the sockets and ends the kernel. */
  async shutdown(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#executor.kill();
    await this.#executor.ended.catch(() => {});
    // Give libzmq a moment to flush the shutdown reply before closing.
    await new Promise((r) => setTimeout(r, 50));
    closeSockets(this.#sockets);
    this.#markDone();
  }

  #startExecutor(): void {
    const executor: Executor = new Executor(this.options, {
      stream: (name, text) => this.#streams.write(name, text),
      event: (event) => this.#onAgentEvent(event),
      exited: (status) => {
        if (this.#stopped || executor !== this.#executor) return;
        this.logger.warn(
          `the executor died (${JSON.stringify(status)}): starting a fresh one`,
        );
        if (!this.running) {
          // No cell to carry the news: show it in the last cell's output.
          this.publishError(
            {
              ename: "ExecutorDied",
              evalue: "The executor died between cells: all state was lost",
              traceback: [],
            },
            this.currentRequest,
          );
        }
        // One that dies while starting (bad permissions, a broken install)
        // would die again at once: back off instead of spinning.
        this.#failedStarts = executor.started ? 0 : this.#failedStarts + 1;
        if (this.#failedStarts === 0) {
          // At once: the next request must find a live executor.
          this.#startExecutor();
          return;
        }
        setTimeout(() => {
          if (!this.#stopped && executor === this.#executor) {
            this.#startExecutor();
          }
        }, Math.min(30_000, 250 * 2 ** this.#failedStarts));
      },
    });
    this.#executor = executor;
  }

  #onAgentEvent(event: AgentEvent): void {
    const parent = this.currentRequest;
    switch (event.type) {
      case "display": {
        const content: Record<string, unknown> = {
          data: event.data,
          metadata: event.metadata,
          transient: {},
        };
        if (event.displayId !== undefined) {
          content.transient = { display_id: event.displayId };
        }
        if (event.update && event.displayId !== undefined) {
          this.#updates.add(event.displayId, content);
        } else this.publish("display_data", content, parent);
        break;
      }
      case "clear":
        this.publish("clear_output", { wait: event.wait }, parent);
        break;
      case "late_error":
        this.publishError(event, parent);
        break;
      case "input_request":
        this.#answerInput(event, parent);
        break;
      default:
        this.logger.debug(`unexpected agent event ${event.type}`);
    }
  }

  async #answerInput(
    event: Extract<AgentEvent, { type: "input_request" }>,
    parent: Message | null,
  ): Promise<void> {
    const executor = this.#executor;
    if (!parent || parent.content.allow_stdin !== true) {
      executor.answerInput(event, {
        error:
          "This front end does not accept input (allow_stdin is false): nothing can be asked",
      });
      return;
    }
    try {
      executor.answerInput(event, {
        value: await this.requestInput(parent, event.prompt, event.password),
      });
    } catch (error) {
      executor.answerInput(event, {
        error: String(error instanceof Error ? error.message : error),
      });
    }
  }

  #onStdin(message: Message): void {
    if (message.header.msg_type !== "input_reply") {
      this.logger.warn(`ignored ${message.header.msg_type} on stdin`);
      return;
    }
    const value = message.content.value;
    this.#pendingInput?.resolve(typeof value === "string" ? value : "");
  }

  async #receiveShell(frames: Uint8Array[]): Promise<void> {
    this.#shellInFlight++;
    try {
      await this.#receive("shell", frames, (message) => {
        this.#shellQueue.push(message);
        this.#shellWake?.();
      });
    } finally {
      this.#shellInFlight--;
    }
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
      this.logger.warn(
        `dropped a ${size}-byte message on ${channel}: larger than ${MAX_MESSAGE_BYTES} bytes`,
      );
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

  async #serveShell(): Promise<void> {
    while (!this.#stopped) {
      const message = this.#shellQueue.shift();
      if (!message) {
        await new Promise<void>((resolve) => this.#shellWake = resolve);
        this.#shellWake = null;
        continue;
      }
      await this.#serve(message, "shell");
      // stop_on_error aborts what was queued when the error happened, no more.
      if (this.#shellQueue.length === 0 && this.#shellInFlight === 0) {
        this.aborting = false;
      }
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
  }
}
