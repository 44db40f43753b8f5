/**
 * Runs cells for the kernel: keeps one executor alive (a fresh one after a
 * death or a restart), transpiles and evaluates code in it, interrupts it,
 * and turns its events (displays, late errors, input requests, comms) into
 * iopub and stdin traffic through the host; frontend comm messages go to the
 * executor at once, also while a cell runs (comm_relay.ts).
 */
import {
  type AgentEvent,
  type Answers,
  type ErrorContent,
  type Evaluation,
  folderUrl,
  type Question,
} from "./agent_protocol.ts";
import { CommRelay } from "./comm_relay.ts";
import { Executor, ExecutorDied } from "./executor_process.ts";
import type { MessageExtras } from "./handler_context.ts";
import type { Logger } from "./log.ts";
import { OutputOrder } from "./output_order.ts";
import type { CellSyntaxError, TranspiledCell } from "./transpile.ts";
import type { CheckMode } from "./check_mode.ts";
import type { Message } from "./wire.ts";

/** How many errors after a cell's idle wait for the next cell (the rest are counted). */
const MAX_HELD_ERRORS = 10;
/**
 * How long a comm message's idle waits for the executor to have called its
 * handlers. ipywidgets sends a widget's next update only after the idle of
 * the last, so a cell stuck in synchronous code slows a dragged slider to
 * this pace instead of stopping it.
 */
const COMM_ANSWER_MS = 1000;

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
  /** Whether cells are type-checked, and whether type errors stop them (default "off"). */
  typeCheck?: CheckMode;
}

/** What the runner needs of the kernel. */
export interface RunnerHost {
  readonly logger: Logger;
  publish(
    msgType: string,
    content: Record<string, unknown>,
    parent: Message | null,
    extras?: MessageExtras,
  ): Promise<void>;
  /** Asks the client for input on stdin; rejects when it cannot be asked. */
  requestInput(
    parent: Message,
    prompt: string,
    password: boolean,
  ): Promise<string>;
  /** Whether the kernel is shutting down (a dying executor is then not replaced). */
  stopped(): boolean;
}

type Transpiler = typeof import("./transpile.ts");

const RESTARTED_NOTE =
  "The cell was busy in synchronous code and could not be interrupted, so the executor was restarted " +
  "and its state was lost: run the cells that define what you need again";

/** The kernel's cells and the executor they run in. */
export class CellRunner {
  readonly #options: KernelOptions;
  readonly #host: RunnerHost;
  readonly #output: OutputOrder;
  readonly #comms = new CommRelay();
  #executor!: Executor;
  #transpiler: Promise<Transpiler>;
  #transpiled = new Map<string, TranspiledCell | CellSyntaxError>();
  #sequence = 0;
  /** The evaluation running now (its id), or null. */
  #runningId: string | null = null;
  #restartNote: string | null = null;
  #failedStarts = 0;
  #commsInFlight = 0;
  /** The execute request whose cell runs now, or ran last: late output goes to it. */
  currentRequest: Message | null = null;
  /** Whether the current request has had its idle (frontends stop listening then). */
  #requestEnded = false;
  /** Errors raised after the last cell's idle, shown with the next cell. */
  #heldErrors: ErrorContent[] = [];
  /** Held errors past MAX_HELD_ERRORS (a timer that throws on every tick): only counted. */
  #droppedErrors = 0;

  /**
   * @param options how to run user code
   * @param host publishing and input
   */
  constructor(options: KernelOptions, host: RunnerHost) {
    this.#options = options;
    this.#host = host;
    this.#output = new OutputOrder({
      stream: (name, text) =>
        host.publish("stream", { name, text }, this.currentRequest),
      update: (content) =>
        host.publish("update_display_data", content, this.currentRequest),
    });
    // TypeScript takes a moment to load: start now, need it at the first cell.
    this.#transpiler = import("./transpile.ts");
  }

  /** Whether a cell is running now. */
  get running(): boolean {
    return this.#runningId !== null;
  }

  /**
   * Whether the executor is busy for the kernel: a cell runs, or comm
   * messages wait for their handlers (the poller then leaves it the CPU).
   */
  get working(): boolean {
    return this.#runningId !== null || this.#commsInFlight > 0;
  }

  /** Sends buffered printed text and display updates now. */
  flushOutput(): void {
    this.#output.flush();
  }

  /** Starts the first executor. */
  start(): void {
    this.#startExecutor();
  }

  /**
   * Whether typed code is a complete cell.
   *
   * @param code the code
   * @returns the status and, when incomplete, the indent
   */
  async completeness(
    code: string,
  ): Promise<
    { status: "complete" | "incomplete" | "invalid"; indent?: string }
  > {
    return (await this.#transpiler).cellCompleteness(code);
  }

  /**
   * Asks the executor something.
   *
   * @param question the command
   * @param timeoutMs how long a busy executor may take
   * @returns the answer, or null on timeout
   */
  ask<Q extends Question>(
    question: Q,
    timeoutMs: number,
  ): Promise<Answers[Q["op"]] | null> {
    return this.#executor.ask(question, timeoutMs);
  }

  /**
   * Sends a frontend comm message to the executor now (a running cell sees
   * it at its next await); one that cannot be delivered is logged.
   *
   * @param request comm_open, comm_msg or comm_close
   */
  async forwardComm(request: Message): Promise<void> {
    const checked = this.#comms.fromFrontend(request);
    if (!checked.ok) {
      this.#host.logger.warn(checked.problem);
      return;
    }
    const id = crypto.randomUUID();
    this.#commsInFlight++;
    try {
      await this.#executor.ask(
        { op: "comm", id, ...checked.frame },
        COMM_ANSWER_MS,
      );
    } finally {
      this.#commsInFlight--;
    }
  }

  /**
   * The open comms (comm_info_reply).
   *
   * @param targetName only those of this target, when given
   * @returns `{comm_id: {target_name}}`
   */
  openComms(targetName?: string): Record<string, { target_name: string }> {
    return this.#comms.list(targetName);
  }

  /**
   * Transpiles and evaluates code.
   *
   * @param code TypeScript
   * @param name how tracebacks call it, e.g. "In[3]"
   * @returns the evaluation (syntax errors and executor deaths as errors)
   */
  async run(code: string, name: string): Promise<Evaluation> {
    const id = `cell${++this.#sequence}`;
    const cell = await this.#transpile(code);
    if (!cell.ok) return syntaxErrorEvaluation(id, code, name, cell);
    return await this.#evaluate(id, name, cell);
  }

  /**
   * Interrupts the running cell: an async one stops at its next await; one
   * stuck in synchronous code gets its executor restarted after a grace period.
   */
  async interrupt(): Promise<void> {
    const interrupted = this.#runningId;
    if (interrupted === null) return;
    this.#host.logger.debug("interrupting the running cell");
    this.#executor.send({ op: "interrupt" });
    const deadline = Date.now() + INTERRUPT_GRACE_MS;
    while (this.#runningId === interrupted && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (this.#runningId === interrupted) this.restartExecutor(RESTARTED_NOTE);
  }

  /**
   * Replaces the executor with a fresh one.
   *
   * @param note what the interrupted cell's error says
   */
  restartExecutor(note: string): void {
    this.#restartNote = note;
    this.#executor.kill();
    this.#startExecutor();
  }

  /** Stops the executor for good. */
  async stop(): Promise<void> {
    this.#executor.kill();
    await this.#executor.ended.catch(() => {});
  }

  async #transpile(code: string): Promise<TranspiledCell | CellSyntaxError> {
    // transpileModule costs ~2 ms even for "1"; notebooks re-run the same
    // cells, and user_expressions repeat, so keep recent results.
    const cached = this.#transpiled.get(code);
    if (cached) return cached;
    const { transpileCell } = await this.#transpiler;
    const cell = transpileCell(code, folderUrl(this.#options.cwd));
    if (this.#transpiled.size >= 256) {
      this.#transpiled.delete(this.#transpiled.keys().next().value!);
    }
    this.#transpiled.set(code, cell);
    return cell;
  }

  async #evaluate(
    id: string,
    name: string,
    cell: TranspiledCell,
  ): Promise<Evaluation> {
    this.#runningId = id;
    try {
      return await this.#executor.evaluate({
        op: "eval",
        id,
        code: cell.code,
        map: cell.map,
        url: `deno-webgpu-cell:${id}`,
        name,
        msgId: this.currentRequest?.header.msg_id,
      });
    } catch (error) {
      if (!(error instanceof ExecutorDied)) throw error;
      const evalue = this.#restartNote ?? error.message;
      this.#restartNote = null;
      return {
        type: "done",
        id,
        status: "error",
        ename: "ExecutorDied",
        evalue,
        traceback: [`ExecutorDied: ${evalue}`],
      };
    } finally {
      this.#runningId = null;
      this.#output.flush();
    }
  }

  #startExecutor(): void {
    // The comms of a replaced executor died with it: tell the frontend, so
    // its widgets stop waiting on them.
    for (const id of this.#comms.executorReplaced()) {
      this.#host.publish(
        "comm_close",
        { comm_id: id, data: {} },
        this.currentRequest,
      );
    }
    const executor: Executor = new Executor(this.#options, {
      stream: (name, text) => this.#output.write(name, text),
      event: (event) => this.#onAgentEvent(event),
      exited: (status) => {
        if (this.#host.stopped() || executor !== this.#executor) return;
        this.#host.logger.warn(
          `the executor died (${JSON.stringify(status)}): starting a fresh one`,
        );
        if (!this.running) {
          // No cell to carry the news: show it in the last cell's output.
          this.#publishError({
            ename: "ExecutorDied",
            evalue: "The executor died between cells: all state was lost",
            traceback: [],
          });
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
          if (!this.#host.stopped() && executor === this.#executor) {
            this.#startExecutor();
          }
        }, Math.min(30_000, 250 * 2 ** this.#failedStarts));
      },
    });
    this.#executor = executor;
    if (this.#comms.frontendHasWidgets) {
      executor.send({ op: "frontend_widgets" });
    }
  }

  /**
   * Makes `request` the current one; errors held since the last cell's idle
   * are published with it, before its own output.
   *
   * @param request the execute request whose cell starts
   */
  beginRequest(request: Message): void {
    this.currentRequest = request;
    this.#requestEnded = false;
    for (const error of this.#heldErrors.splice(0)) this.#publishError(error);
    if (this.#droppedErrors > 0) {
      this.#host.publish("stream", {
        name: "stderr",
        text:
          `${this.#droppedErrors} more errors after the last cell not shown\n`,
      }, request);
      this.#droppedErrors = 0;
    }
  }

  /**
   * Notes that `request` has had its idle: a frontend then disposes of the
   * cell's listener (JupyterLab's future), so an error of a timer or an
   * unhandled rejection after it would be dropped; it waits for the next cell.
   *
   * @param request a request whose handler finished
   */
  endRequest(request: Message): void {
    if (request === this.currentRequest) this.#requestEnded = true;
  }

  #publishError(error: ErrorContent): void {
    if (this.#requestEnded) {
      if (this.#heldErrors.length < MAX_HELD_ERRORS) {
        this.#heldErrors.push(error);
      } else this.#droppedErrors++;
      return;
    }
    this.#host.publish("error", { ...error }, this.currentRequest);
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
          this.#output.update(event.displayId, content);
        } else this.#host.publish("display_data", content, parent);
        break;
      }
      case "clear":
        this.#host.publish("clear_output", { wait: event.wait }, parent);
        break;
      case "late_error":
        this.#publishError(event);
        break;
      case "input_request":
        this.#answerInput(event, parent);
        break;
      case "comm": {
        const message = this.#comms.fromExecutor(event);
        // What a handler sent while it handled a frontend message has that
        // message as parent, also while a cell runs (ipywidgets' frontend
        // takes an echo_update as the answer to its update by parent
        // msg_id); anything else has the cell's request (or the last cell's).
        const cause = message.cause ?? parent;
        this.#host.publish(message.msgType, message.content, cause, {
          metadata: message.metadata,
          buffers: message.buffers,
        });
        break;
      }
      case "log":
        this.#host.logger.warn(event.text);
        break;
      default:
        this.#host.logger.debug(`unexpected agent event ${event.type}`);
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
        value: await this.#host.requestInput(
          parent,
          event.prompt,
          event.password,
        ),
      });
    } catch (error) {
      executor.answerInput(event, {
        error: String(error instanceof Error ? error.message : error),
      });
    }
  }
}

function syntaxErrorEvaluation(
  id: string,
  code: string,
  name: string,
  cell: CellSyntaxError,
): Evaluation {
  const where = `${name}:${cell.line}:${cell.column}`;
  const line = code.split("\n")[cell.line - 1] ?? "";
  return {
    type: "done",
    id,
    status: "error",
    ename: "SyntaxError",
    evalue: `${cell.message} (${where})`,
    traceback: [
      `SyntaxError: ${cell.message}`,
      `    at ${where}`,
      "",
      `  ${line}`,
      `  ${" ".repeat(cell.column - 1)}^`,
    ],
  };
}
