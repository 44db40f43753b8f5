/**
 * Jupyter comms in the executor: the registry of targets and open comms
 * that cells (the `comms` global) and library code (`globalThis[COMMS_KEY]`,
 * see lib/comms.ts) share. Frames cross the pipe as CommFrames
 * (../agent_protocol.ts); the kernel process turns them into comm_open,
 * comm_msg and comm_close on iopub, and forwards the frontend's at once, so
 * a handler runs at the running cell's next await.
 *
 * Nothing a frontend sends may end the executor: an unknown comm id, an
 * unknown target and a handler that throws are reported (on the running
 * cell's stderr, or in the kernel's log between cells) and dropped.
 */
import {
  type CommFrame,
  decodeBuffers,
  encodeBuffers,
  WIDGET_CONTROL_TARGET,
} from "../agent_protocol.ts";

/**
 * The global the manager is installed under: the same registered symbol as
 * lib/comms.ts's COMMS_KEY (the executor imports nothing of lib/).
 */
export const COMMS_KEY = Symbol.for("deno-webgpu.kernel.comms");

type Data = Record<string, unknown>;

/** One message on a comm, as a handler receives it. */
export interface CommMessage {
  data: Data;
  metadata: Data;
  buffers: Uint8Array[];
}

/** Extra parts of a message the kernel sends. */
export interface CommSendOptions {
  metadata?: Data;
  buffers?: (Uint8Array | ArrayBuffer | ArrayBufferView)[];
}

/** Called when the frontend opens a comm to a registered target. */
export type CommTargetHandler = (
  comm: KernelComm,
  open: CommMessage,
) => void | Promise<void>;

/** Where the manager's frames and problems go (the agent; a recorder in tests). */
export interface CommHost {
  /** Sends a frame to the kernel, after the events queued before it. */
  send(frame: CommFrame): void;
  /** Reports a problem on the running cell's stderr. */
  cellError(text: string): void;
  /** Reports a problem in the kernel's log. */
  log(text: string): void;
}

/** One end of a comm, opened by either side. */
export class KernelComm {
  readonly #manager: CommManager;
  #closed = false;
  #onMessage: ((message: CommMessage) => void | Promise<void>)[] = [];
  #onClose: ((message: CommMessage) => void)[] = [];

  /**
   * @param id the comm_id
   * @param targetName the target it was opened for
   * @param manager the registry it belongs to
   */
  constructor(
    readonly id: string,
    readonly targetName: string,
    manager: CommManager,
  ) {
    this.#manager = manager;
  }

  /** True once either side has closed it. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends a comm_msg to the frontend.
   *
   * @param data the message's content.data
   * @param options metadata and binary buffers
   * @throws {Error} when the comm is closed
   */
  send(data: Data = {}, options: CommSendOptions = {}): void {
    if (this.#closed) {
      throw new Error(
        `comm ${this.id} (target ${
          JSON.stringify(this.targetName)
        }) is closed: nothing can be sent on it`,
      );
    }
    this.#manager.emit("msg", this, data, options);
  }

  /**
   * Sends comm_close (once; later calls do nothing) and drops the handlers.
   *
   * @param data the message's content.data
   * @param options metadata and binary buffers
   */
  close(data: Data = {}, options: CommSendOptions = {}): void {
    if (this.#closed) return;
    this.#manager.emit("close", this, data, options);
    this.#ended();
  }

  /**
   * Adds a handler for each comm_msg from the frontend (handlers run in the
   * order they were added); one that throws is reported, never fatal.
   *
   * @param handler called with the message
   */
  onMessage(handler: (message: CommMessage) => void | Promise<void>): void {
    this.#onMessage.push(handler);
  }

  /**
   * Adds a handler called once when the frontend closes the comm.
   *
   * @param handler called with the comm_close message
   */
  onClose(handler: (message: CommMessage) => void): void {
    this.#onClose.push(handler);
  }

  /**
   * A comm_msg from the frontend.
   *
   * @param message the message
   * @returns what the handlers returned (promises are watched for rejections)
   */
  deliver(message: CommMessage): unknown[] {
    return this.#onMessage.map((handler) =>
      this.#manager.guard(
        `a message handler of comm ${this.id}`,
        () => handler(message),
      )
    );
  }

  /**
   * The frontend closed the comm: no comm_close goes back.
   *
   * @param message the comm_close message
   */
  closedByFrontend(message: CommMessage): void {
    const handlers = this.#onClose;
    this.#ended();
    for (const handler of handlers) {
      this.#manager.guard(
        `a close handler of comm ${this.id}`,
        () => handler(message),
      );
    }
  }

  #ended(): void {
    this.#closed = true;
    this.#onMessage = [];
    this.#onClose = [];
    this.#manager.forget(this.id);
  }
}

/**
 * The kernel's comm manager: the shape of lib/comms.ts's `Comms` (checked
 * by tests/kernel/executor/comms_test.ts), plus what the agent calls.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CommManager } from "./comms.ts";
 *
 * const sent: unknown[] = [];
 * const comms = new CommManager({
 *   send: (frame) => sent.push(frame),
 *   cellError() {},
 *   log() {},
 * });
 * comms.registerTarget("echo", (comm) => comm.onMessage((m) => comm.send(m.data)));
 * const frame = { data: {}, metadata: {}, buffers: [] };
 * comms.receive({ ...frame, kind: "open", commId: "c1", targetName: "echo" });
 * comms.receive({ ...frame, kind: "msg", commId: "c1", data: { x: 1 } });
 * assert.deepEqual(sent, [{ ...frame, kind: "msg", commId: "c1", data: { x: 1 } }]);
 * ```
 */
export class CommManager {
  readonly #host: CommHost;
  readonly #targets = new Map<string, CommTargetHandler>();
  readonly #comms = new Map<string, KernelComm>();
  #frontendHasWidgets = false;
  #messageId: string | undefined;
  #cellRunning = false;
  /** The frontend message whose handlers run now (synchronously). */
  #cause: string | undefined;

  /** @param host where frames and problems go */
  constructor(host: CommHost) {
    this.#host = host;
  }

  /**
   * True once a frontend that renders ipywidgets has opened a
   * `jupyter.widget.control` comm this kernel session.
   */
  get frontendHasWidgets(): boolean {
    return this.#frontendHasWidgets;
  }

  /** The msg_id of the execute_request running now; undefined between cells. */
  get currentMessageId(): string | undefined {
    return this.#messageId;
  }

  /**
   * Opens a comm from the kernel (comm_open on iopub).
   *
   * @param targetName the frontend's target, e.g. "jupyter.widget"
   * @param data content.data of the comm_open
   * @param options metadata and binary buffers
   * @returns the open comm
   */
  open(
    targetName: string,
    data: Data = {},
    options: CommSendOptions = {},
  ): KernelComm {
    if (typeof targetName !== "string" || targetName === "") {
      throw new TypeError(
        `comms.open() needs a target name: got ${JSON.stringify(targetName)}`,
      );
    }
    const comm = new KernelComm(
      crypto.randomUUID().replaceAll("-", ""),
      targetName,
      this,
    );
    this.emit("open", comm, data, options);
    this.#comms.set(comm.id, comm);
    return comm;
  }

  /**
   * Accepts frontend comm_opens for a target (replaces an earlier handler).
   *
   * @param targetName the target
   * @param handler called with each new comm and its comm_open message
   */
  registerTarget(targetName: string, handler: CommTargetHandler): void {
    if (typeof handler !== "function") {
      throw new TypeError(
        `comms.registerTarget(${
          JSON.stringify(targetName)
        }, handler) needs a function`,
      );
    }
    this.#targets.set(targetName, handler);
  }

  /**
   * Stops accepting comm_opens for a target (its open comms stay open).
   *
   * @param targetName the target
   */
  unregisterTarget(targetName: string): void {
    this.#targets.delete(targetName);
  }

  // ---- for the agent -------------------------------------------------------

  /**
   * A cell starts: handler errors go to its stderr, and currentMessageId is its request's.
   *
   * @param messageId the msg_id of its execute_request
   */
  beginCell(messageId: string | undefined): void {
    this.#cellRunning = true;
    this.#messageId = messageId;
  }

  /** The cell has ended. */
  endCell(): void {
    this.#cellRunning = false;
    this.#messageId = undefined;
  }

  /** A frontend with widgets connected before this executor started. */
  markFrontendWidgets(): void {
    this.#frontendHasWidgets = true;
  }

  /**
   * Handles a comm message from the frontend. Handlers are called at once,
   * in arrival order; what they return is not awaited (so a slow handler
   * holds up no other message), only watched for a rejection.
   *
   * @param frame the command's frame
   */
  receive(frame: CommFrame): void {
    const message: CommMessage = {
      data: frame.data,
      metadata: frame.metadata,
      buffers: decodeBuffers(frame.buffers),
    };
    const outer = this.#cause;
    this.#cause = frame.cause;
    try {
      if (frame.kind === "open") this.#opened(frame, message);
      else {
        const comm = this.#comms.get(frame.commId);
        if (!comm) {
          this.#host.log(
            `comm_${frame.kind} for unknown comm id ${
              JSON.stringify(frame.commId)
            } (never opened, or closed already): dropped`,
          );
        } else if (frame.kind === "msg") comm.deliver(message);
        else comm.closedByFrontend(message);
      }
    } finally {
      this.#cause = outer;
    }
  }

  /** How many comms are open (for tests and logs). */
  get openCount(): number {
    return this.#comms.size;
  }

  /**
   * Sends one frame of a comm (KernelComm calls it).
   *
   * @param kind open, msg or close
   * @param comm the comm
   * @param data content.data
   * @param options metadata and buffers
   * @throws {TypeError} when data or metadata cannot be sent as JSON
   */
  emit(
    kind: CommFrame["kind"],
    comm: KernelComm,
    data: Data,
    options: CommSendOptions,
  ): void {
    const metadata = options.metadata ?? {};
    // Checked here, where the caller's bug is: the frame is written later,
    // from a task of its own, where a throw would reach no one.
    try {
      JSON.stringify([data, metadata]);
    } catch (error) {
      throw new TypeError(
        `comm ${comm.id}: data and metadata must be JSON (${error})`,
      );
    }
    const frame: CommFrame = {
      kind,
      commId: comm.id,
      data,
      metadata,
      buffers: encodeBuffers((options.buffers ?? []).map(toBytes)),
    };
    if (kind === "open") frame.targetName = comm.targetName;
    if (this.#cause !== undefined) frame.cause = this.#cause;
    this.#host.send(frame);
  }

  /**
   * Drops a comm that has closed (KernelComm calls it).
   *
   * @param id its comm_id
   */
  forget(id: string): void {
    this.#comms.delete(id);
  }

  /**
   * Runs a handler; a throw or a rejection is reported, never passed on.
   *
   * @param what names the handler in the report
   * @param run calls it
   * @returns what it returned, or undefined when it threw
   */
  guard(what: string, run: () => unknown): unknown {
    try {
      const result = run();
      if (result instanceof Promise) {
        result.catch((error) => this.#reportError(what, error));
      }
      return result;
    } catch (error) {
      this.#reportError(what, error);
      return undefined;
    }
  }

  #opened(frame: CommFrame, message: CommMessage): void {
    const target = frame.targetName ?? "";
    if (target === WIDGET_CONTROL_TARGET) this.#frontendHasWidgets = true;
    if (this.#comms.has(frame.commId)) {
      this.#host.log(
        `comm_open for comm id ${frame.commId}, which is open already: dropped`,
      );
      return;
    }
    const handler = this.#targets.get(target);
    if (!handler) {
      // The spec: a comm_open for an unknown target is answered with
      // comm_close. ipywidgets' control comm, before the widgets library
      // registered it, is closed too: the frontend then falls back to
      // comm_info, which lists no widgets, instead of waiting for a timeout.
      if (target !== WIDGET_CONTROL_TARGET) {
        this.#host.log(
          `no comm target named ${
            JSON.stringify(target)
          }: closed comm ${frame.commId}`,
        );
      }
      const comm = new KernelComm(frame.commId, target, this);
      this.emit("close", comm, {}, {});
      return;
    }
    const comm = new KernelComm(frame.commId, target, this);
    this.#comms.set(comm.id, comm);
    // A target handler that fails leaves a comm nobody serves: close it, as ipykernel does.
    const what = `the handler of comm target ${JSON.stringify(target)}`;
    const failed = (error: unknown) => {
      this.#reportError(what, error);
      comm.close();
    };
    try {
      const result = handler(comm, message);
      if (result instanceof Promise) result.catch(failed);
    } catch (error) {
      failed(error);
    }
  }

  #reportError(what: string, error: unknown): void {
    const detail = error instanceof Error
      ? error.stack ?? `${error.name}: ${error.message}`
      : String(error);
    const text = `Error in ${what}: ${detail}`;
    if (this.#cellRunning) this.#host.cellError(text);
    else this.#host.log(text);
  }
}

function toBytes(
  buffer: Uint8Array | ArrayBuffer | ArrayBufferView,
): Uint8Array {
  if (buffer instanceof Uint8Array) return buffer;
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  if (ArrayBuffer.isView(buffer)) {
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
  throw new TypeError(
    `comm buffers must be Uint8Array, ArrayBuffer or a typed array: got ${typeof buffer}`,
  );
}
