/**
 * Jupyter comms as the library sees them. The kernel's executor installs an
 * object of this shape under {@link COMMS_KEY} on `globalThis` (and as the
 * cell global `comms`); the library never imports the kernel, so widgets and
 * `train()`'s dashboard reach comms only through {@link kernelComms}.
 * Outside the kernel it returns undefined and widgets fall back to text.
 *
 * @module
 */

/** JSON content of a comm message (`content.data`). */
export type CommData = Record<string, unknown>;

/** One message on a comm, as a handler receives it. */
export interface CommMessage {
  /** `content.data` of comm_open / comm_msg / comm_close. */
  data: CommData;
  /** The message's `metadata`. */
  metadata: Record<string, unknown>;
  /** The binary buffers sent with it (empty when none). */
  buffers: Uint8Array[];
}

/** Extra parts of a message the kernel sends. */
export interface CommSendOptions {
  /** The message's `metadata` (ipywidgets puts its protocol `version` here). */
  metadata?: Record<string, unknown>;
  /** Binary buffers, sent as the message's extra frames. */
  buffers?: Uint8Array[];
}

/** One end of a comm, opened by either side. */
export interface Comm {
  /** The comm_id. */
  readonly id: string;
  /** The target it was opened for. */
  readonly targetName: string;
  /** True once either side has closed it. */
  readonly closed: boolean;
  /** Sends a comm_msg to the frontend. Throws when the comm is closed. */
  send(data: CommData, options?: CommSendOptions): void;
  /** Sends comm_close (once) and drops the handlers. */
  close(data?: CommData, options?: CommSendOptions): void;
  /** Called for each comm_msg from the frontend; a handler that throws is reported, never fatal. */
  onMessage(handler: (message: CommMessage) => void | Promise<void>): void;
  /** Called once when the frontend closes the comm. */
  onClose(handler: (message: CommMessage) => void): void;
}

/** Called when the frontend opens a comm to a registered target. */
export type CommTargetHandler = (
  comm: Comm,
  open: CommMessage,
) => void | Promise<void>;

/** The kernel's comm manager. */
export interface Comms {
  /** Opens a comm from the kernel (comm_open on iopub). */
  open(targetName: string, data?: CommData, options?: CommSendOptions): Comm;
  /** Accepts frontend comm_opens for `targetName` (replaces an earlier handler). */
  registerTarget(targetName: string, handler: CommTargetHandler): void;
  /** Stops accepting comm_opens for `targetName`. */
  unregisterTarget(targetName: string): void;
  /**
   * True once a frontend that renders ipywidgets has shown itself this kernel
   * session: JupyterLab, Notebook 7 and VS Code open a `jupyter.widget.control`
   * comm when they connect. nbconvert and plain clients never do.
   */
  readonly frontendHasWidgets: boolean;
  /** The msg_id of the execute_request running now (what ipywidgets' Output widget captures by). */
  readonly currentMessageId: string | undefined;
}

/** The global the kernel installs its {@link Comms} under. */
export const COMMS_KEY: unique symbol = Symbol.for(
  "deno-webgpu.kernel.comms",
) as typeof COMMS_KEY;

/**
 * The kernel's comm manager, when running inside the kernel.
 *
 * @returns the manager, or undefined outside a kernel
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kernelComms } from "./comms.ts";
 *
 * assert.equal(kernelComms(), undefined); // not inside a kernel here
 * ```
 */
export function kernelComms(): Comms | undefined {
  return (globalThis as Record<symbol, Comms | undefined>)[COMMS_KEY];
}
