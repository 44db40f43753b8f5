/**
 * Comms as the kernel process sees them: it never runs their handlers (the
 * executor does, see executor/comms.ts), it relays. Frontend comm_open,
 * comm_msg and comm_close become "comm" commands for the executor at once,
 * even while a cell runs; the executor's "comm" events become iopub
 * messages. On the way it keeps what comm_info_request lists (the open
 * comms and their targets), whether a widget frontend has shown itself (so a
 * fresh executor learns it too), and the frontend messages recent handlers
 * answered, so that an answer between cells names its cause as parent.
 */
import {
  type CommFrame,
  decodeBuffers,
  encodeBuffers,
  WIDGET_CONTROL_TARGET,
} from "./agent_protocol.ts";
import type { Message } from "./wire.ts";

/** How many frontend comm messages are remembered as possible parents. */
const CAUSES_KEPT = 256;

const KINDS = {
  comm_open: "open",
  comm_msg: "msg",
  comm_close: "close",
} as const;

/** One iopub message to publish for an executor's comm frame. */
export interface CommPublication {
  msgType: "comm_open" | "comm_msg" | "comm_close";
  content: Record<string, unknown>;
  metadata: Record<string, unknown>;
  buffers: Uint8Array[];
  /** The frontend message it answers, when the kernel still has it. */
  cause: Message | undefined;
}

/**
 * The kernel's record of comms, between the frontend and the executor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CommRelay } from "./comm_relay.ts";
 *
 * const relay = new CommRelay();
 * const published = relay.fromExecutor({
 *   kind: "open",
 *   commId: "k1",
 *   targetName: "jupyter.widget",
 *   data: {},
 *   metadata: {},
 *   buffers: ["AQI="],
 * });
 * assert.equal(published.msgType, "comm_open");
 * assert.deepEqual(published.buffers, [new Uint8Array([1, 2])]);
 * assert.deepEqual(relay.list("jupyter.widget"), {
 *   k1: { target_name: "jupyter.widget" },
 * });
 * ```
 */
export class CommRelay {
  readonly #open = new Map<string, string>();
  readonly #causes = new Map<string, Message>();
  #frontendHasWidgets = false;

  /** Whether a frontend has opened `jupyter.widget.control` this kernel session. */
  get frontendHasWidgets(): boolean {
    return this.#frontendHasWidgets;
  }

  /**
   * Checks a frontend comm message and makes the executor's command of it.
   *
   * @param request comm_open, comm_msg or comm_close
   * @returns the frame to send, or why the message cannot be delivered
   */
  fromFrontend(
    request: Message,
  ): { ok: true; frame: CommFrame } | { ok: false; problem: string } {
    const type = request.header.msg_type;
    const kind = KINDS[type as keyof typeof KINDS];
    const content = request.content;
    const commId = content.comm_id;
    if (!kind) return { ok: false, problem: `${type} is not a comm message` };
    if (typeof commId !== "string" || commId === "") {
      return {
        ok: false,
        problem: `${type} without a comm_id (content: ${
          preview(content)
        }): dropped`,
      };
    }
    // data is required (an object); comm_open and comm_close with none are
    // common enough (and harmless) to read as {}.
    const data = content.data ?? (kind === "msg" ? undefined : {});
    if (!isObject(data)) {
      return {
        ok: false,
        problem: `${type} for comm ${commId} whose data is not an object (${
          preview(content.data)
        }): dropped`,
      };
    }
    const frame: CommFrame = {
      kind,
      commId,
      data,
      metadata: request.metadata,
      buffers: encodeBuffers(request.buffers),
      cause: request.header.msg_id,
    };
    if (kind === "open") {
      const target = content.target_name;
      if (typeof target !== "string" || target === "") {
        return {
          ok: false,
          problem: `comm_open ${commId} without a target_name: dropped`,
        };
      }
      frame.targetName = target;
      if (target === WIDGET_CONTROL_TARGET) this.#frontendHasWidgets = true;
      this.#open.set(commId, target);
    } else if (kind === "close") this.#open.delete(commId);
    this.#remember(request);
    return { ok: true, frame };
  }

  /**
   * What to publish for a comm frame of the executor.
   *
   * @param frame the event's frame
   * @returns the iopub message
   */
  fromExecutor(frame: CommFrame): CommPublication {
    const content: Record<string, unknown> = {
      comm_id: frame.commId,
      data: frame.data,
    };
    if (frame.kind === "open") {
      content.target_name = frame.targetName ?? "";
      this.#open.set(frame.commId, frame.targetName ?? "");
    } else if (frame.kind === "close") this.#open.delete(frame.commId);
    return {
      msgType: `comm_${frame.kind}`,
      content,
      metadata: frame.metadata,
      buffers: decodeBuffers(frame.buffers),
      cause: frame.cause === undefined
        ? undefined
        : this.#causes.get(frame.cause),
    };
  }

  /**
   * The open comms, as comm_info_reply lists them.
   *
   * @param targetName only those of this target, when given
   * @returns `{comm_id: {target_name}}`
   */
  list(targetName?: string): Record<string, { target_name: string }> {
    const comms: Record<string, { target_name: string }> = {};
    for (const [id, target] of this.#open) {
      if (targetName === undefined || target === targetName) {
        comms[id] = { target_name: target };
      }
    }
    return comms;
  }

  /**
   * The executor was replaced: its comms are gone with it.
   *
   * @returns the ids of the comms that were open, for comm_close messages
   */
  executorReplaced(): string[] {
    const ids = [...this.#open.keys()];
    this.#open.clear();
    this.#causes.clear();
    return ids;
  }

  #remember(request: Message): void {
    this.#causes.set(request.header.msg_id, request);
    if (this.#causes.size > CAUSES_KEPT) {
      this.#causes.delete(this.#causes.keys().next().value!);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
