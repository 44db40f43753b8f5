/**
 * What a request handler may do: a narrow interface the Kernel implements,
 * so that each handler (and `execute`) can be tested with a fake. Handlers
 * see methods only, no mutable state of the kernel.
 */
import type { Answers, Evaluation, Question } from "./agent_protocol.ts";
import type { History } from "./history.ts";
import type {
  SignatureInfo,
  StaticCompletions,
  SymbolInfo,
} from "./language_service.ts";
import type { Logger } from "./log.ts";
import type { CellChecks } from "./check_mode.ts";
import type { Message } from "./wire.ts";

/** Metadata and binary buffers of a message (comms use both). */
export interface MessageExtras {
  metadata?: Record<string, unknown>;
  buffers?: Uint8Array[];
}

/** The channel a request came on, which its reply goes back on. */
export type RequestChannel = "shell" | "control";

/** Answering and publishing. */
export interface Outputs {
  readonly logger: Logger;
  /**
   * Sends a reply on the request's channel.
   *
   * @param request the request
   * @param channel where it came from
   * @param msgType the reply type
   * @param content the reply content
   */
  reply(
    request: Message,
    channel: RequestChannel,
    msgType: string,
    content: Record<string, unknown>,
  ): Promise<void>;
  /**
   * Publishes on iopub; buffered printed text goes first. Messages leave in
   * call order, so callers need not await.
   *
   * @param msgType e.g. "display_data"
   * @param content the content
   * @param parent the request this belongs to
   * @param extras the message's metadata and binary buffers
   */
  publish(
    msgType: string,
    content: Record<string, unknown>,
    parent: Message | null,
    extras?: MessageExtras,
  ): Promise<void>;
}

/** What execute_request needs besides Outputs. */
export interface ExecuteContext extends Outputs {
  readonly history: History;
  /** The execution counter: the count of the last stored cell. */
  executionCount(): number;
  /**
   * Counts a cell that is stored in history.
   *
   * @returns the new execution count
   */
  countCell(): number;
  /**
   * Whether this request was queued behind a cell that failed with
   * stop_on_error, and so is answered "aborted".
   *
   * @param request an execute request about to be served
   */
  isAborted(request: Message): boolean;
  /** Marks the requests queued now (readable ones drained first) for {@link isAborted}. */
  abortQueued(): Promise<void>;
  /**
   * Makes a request the current one: output of its cell, and late output
   * after it, is published with it as parent.
   *
   * @param request the execute request
   */
  beginRequest(request: Message): void;
  /**
   * Transpiles and evaluates code in the executor.
   *
   * @param code TypeScript
   * @param name how tracebacks call it, e.g. "In[3]"
   * @returns the evaluation (syntax errors and executor deaths are error evaluations)
   */
  run(code: string, name: string): Promise<Evaluation>;
  /** Type-checks cells before or while they run (absent: they are not checked). */
  readonly typeChecker?: CellChecks;
  /**
   * Remembers a cell that ran, for the language service (checks and
   * completion; checked_run.ts calls it, cell_history.ts has the rules).
   *
   * @param code the cell
   */
  addRanCell(code: string): void;
}

/** Everything a handler may use. */
export interface HandlerContext extends ExecuteContext {
  /**
   * Asks the executor something (completion, live inspection).
   *
   * @param question the command
   * @param timeoutMs how long a busy executor may take
   * @returns the answer, or null on timeout
   */
  ask<Q extends Question>(
    question: Q,
    timeoutMs: number,
  ): Promise<Answers[Q["op"]] | null>;
  /**
   * Types and doc comments at a position, from the language service.
   *
   * @param code the code
   * @param index a UTF-16 index into it
   * @param withSource also the declaration's TypeScript source
   * @returns what is there, or null
   */
  quickInfo(
    code: string,
    index: number,
    withSource?: boolean,
  ): Promise<SymbolInfo | null>;
  /**
   * The signature of the call whose arguments hold a position.
   *
   * @param code the code
   * @param index a UTF-16 index into it
   * @param withSource also the callee's TypeScript source
   * @returns the signature, or null outside a call's arguments
   */
  signatureHelp(
    code: string,
    index: number,
    withSource?: boolean,
  ): Promise<SignatureInfo | null>;
  /**
   * Completions from the language service.
   *
   * @param code the cell being typed
   * @param index a UTF-16 index into it
   * @returns the items, or null where it offers none
   */
  completions(code: string, index: number): Promise<StaticCompletions | null>;
  /**
   * Whether typed code is a complete cell (is_complete_request).
   *
   * @param code the code
   * @returns the status and, when incomplete, the indent for the next line
   */
  completeness(
    code: string,
  ): Promise<
    { status: "complete" | "incomplete" | "invalid"; indent?: string }
  >;
  /**
   * Sends a frontend comm message to the executor at once (a running cell
   * sees it at its next await); one that cannot be delivered is logged.
   *
   * @param request comm_open, comm_msg or comm_close
   * @returns once the executor has called its handlers (or after a timeout)
   */
  forwardComm(request: Message): Promise<void>;
  /**
   * The open comms, as comm_info_reply lists them.
   *
   * @param targetName only those of this target, when given
   * @returns `{comm_id: {target_name}}`
   */
  openComms(targetName?: string): Record<string, { target_name: string }>;
  /** Interrupts the running cell. */
  interrupt(): Promise<void>;
  /** Ends the kernel. */
  shutdown(): Promise<void>;
}

/** Handles one request. */
export type Handler = (
  context: HandlerContext,
  request: Message,
  channel: RequestChannel,
) => Promise<void>;
