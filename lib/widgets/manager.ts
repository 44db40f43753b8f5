/**
 * The kernel's side of the widget manager: every live widget by model id,
 * and the `jupyter.widget.control` target, where a frontend that connects
 * (or reloads) asks for all states at once with `request_states` and gets
 * one `update_states` back (ipywidgets' control comm, protocol 2.1).
 *
 * @module
 */
import type { Comm, CommMessage, Comms } from "../comms.ts";
import { type BufferPath, removeBuffers } from "./buffers.ts";

/** The widget message protocol this library speaks (comm_open metadata). */
export const PROTOCOL_VERSION = "2.1.0";
/** The comm target of widget models. */
export const WIDGET_TARGET = "jupyter.widget";
/** The comm target of the manager's control channel. */
export const CONTROL_TARGET = "jupyter.widget.control";

/** What the manager needs of a widget. */
export interface Registered {
  readonly modelId: string;
  /** The full state in wire form (buffers still inside). */
  wireState(): Record<string, unknown>;
}

const live = new Map<string, Registered>();
const served = new WeakSet<Comms>();

/** Adds a widget to the registry. */
export function register(widget: Registered): void {
  live.set(widget.modelId, widget);
}

/** Drops a closed widget. */
export function unregister(modelId: string): void {
  live.delete(modelId);
}

/** The live widget with this model id. */
export function lookup(modelId: string): Registered | undefined {
  return live.get(modelId);
}

/** How many widgets are live (tests and the text form use it). */
export function liveCount(): number {
  return live.size;
}

/**
 * The `update_states` reply: each widget's model name/module/version and
 * state; buffer paths start with the model id then `"state"`, as the
 * frontend's manager regroups them by widget.
 */
export function allStates(): {
  data: Record<string, unknown>;
  buffers: Uint8Array[];
} {
  const states: Record<string, unknown> = {};
  for (const [id, widget] of live) {
    const state = widget.wireState();
    states[id] = {
      model_name: state._model_name,
      model_module: state._model_module,
      model_module_version: state._model_module_version,
      state,
    };
  }
  const split = removeBuffers(states);
  return {
    data: {
      method: "update_states",
      states: split.state,
      buffer_paths: split.bufferPaths satisfies BufferPath[],
    },
    buffers: split.buffers,
  };
}

function onControl(comm: Comm, message: CommMessage): void {
  const method = message.data.method;
  if (method !== "request_states") {
    console.error(
      `${CONTROL_TARGET}: ignored a message with method ${
        JSON.stringify(method)
      } (only "request_states" is known)`,
    );
    return;
  }
  const { data, buffers } = allStates();
  comm.send(data, { buffers });
}

/** Registers the control target once per comm manager. */
export function serveControl(comms: Comms): void {
  if (served.has(comms)) return;
  served.add(comms);
  comms.registerTarget(CONTROL_TARGET, (comm) => {
    comm.onMessage((message) => onControl(comm, message));
  });
}
