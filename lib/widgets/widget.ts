/**
 * The widget model: state kept in the kernel and mirrored by the frontend
 * over one `jupyter.widget` comm (ipywidgets' protocol 2.1). A value set in
 * a cell is validated, stored and sent as an `update`; an `update` from the
 * frontend is validated the same way, echoed back (`echo_update`), stored,
 * and is what the next read sees. Bad values from a cell throw; bad state
 * from the frontend is reported on stderr and the frontend is set back to
 * the kernel's value, so it never stops the kernel.
 *
 * @module
 */
import { type Comm, type CommMessage, kernelComms } from "../comms.ts";
import { DISPLAY, type MimeBundle } from "../display.ts";
import { putBuffers, removeBuffers } from "./buffers.ts";
import {
  lookup,
  PROTOCOL_VERSION,
  register,
  serveControl,
  unregister,
  WIDGET_TARGET,
} from "./manager.ts";
import type { Trait } from "./traits.ts";
import { acceptFromFrontend, sameOnWire, wireForm } from "./state_wire.ts";
import {
  type ModelSpec,
  publicName,
  specTraits,
  WIDGET_VIEW_MIME,
} from "./model_spec.ts";

/** A change of one key, as an observer sees it. */
export interface Change<T = unknown> {
  /** The property's name ("value", "continuousUpdate"). */
  name: string;
  old: T;
  new: T;
  owner: Widget;
}

/** Called after a key changes, whether a cell or the frontend changed it. */
export type Observer<T = unknown> = (change: Change<T>) => void | Promise<void>;

/** Called with a custom message's content and buffers. */
export type CustomHandler = (
  content: unknown,
  buffers: Uint8Array[],
) => void | Promise<void>;

/** Reports a problem the frontend caused; a widget never throws for those. */
export function report(message: string): void {
  console.error(`widgets: ${message}`);
}

/**
 * The base of every widget. Subclasses pass their model, their traits and
 * the options a cell gave; each trait becomes a camelCase property.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IntSlider } from "./mod.ts";
 * const slider = new IntSlider({ value: 3, min: 0, max: 10 });
 * const seen: number[] = [];
 * slider.observe("value", (change) => { seen.push(change.new as number); });
 * slider.value = 5;
 * assert.deepEqual(seen, [5]);
 * assert.throws(() => { slider.value = 11; }, RangeError);
 * ```
 */
export abstract class Widget {
  /** The comm id, which the frontend knows the model by. */
  readonly modelId: string;
  readonly #traits: Record<string, Trait>;
  readonly #state: Record<string, unknown> = {};
  readonly #observers = new Map<string, Set<Observer>>();
  readonly #custom = new Set<CustomHandler>();
  readonly #comm: Comm | undefined;

  constructor(
    spec: ModelSpec,
    traits: Record<string, Trait>,
    options: object = {},
  ) {
    this.#traits = { ...specTraits(spec), ...traits };
    const given = new Map<string, unknown>();
    const keyOf = new Map<string, string>();
    for (const key of Object.keys(this.#traits)) {
      const name = publicName(key);
      if (name) keyOf.set(name, key);
    }
    for (const [name, value] of Object.entries(options)) {
      const key = keyOf.get(name);
      if (key === undefined) {
        throw new TypeError(
          `${this.constructor.name} has no option "${name}"; it takes ${
            this.propertyNames().join(", ")
          }`,
        );
      }
      if (value !== undefined) given.set(key, value);
    }
    for (const [key, trait] of Object.entries(this.#traits)) {
      this.#state[key] = given.has(key)
        ? trait.validate(given.get(key), this.#where(key))
        : trait.default();
    }
    this.normalize(this.#state, [...given.keys()]);
    for (const [name, key] of keyOf) {
      Object.defineProperty(this, name, {
        get: () => this.#state[key],
        set: (value: unknown) => this.set(key, value),
        enumerable: false,
      });
    }
    const comms = kernelComms();
    if (comms) {
      serveControl(comms);
      const split = removeBuffers(this.wireState());
      this.#comm = comms.open(
        WIDGET_TARGET,
        { state: split.state, buffer_paths: split.bufferPaths },
        { metadata: { version: PROTOCOL_VERSION }, buffers: split.buffers },
      );
      this.modelId = this.#comm.id;
      this.#comm.onMessage((message) => this.#receive(message));
      this.#comm.onClose(() => unregister(this.modelId));
    } else {
      this.modelId = crypto.randomUUID().replaceAll("-", "");
    }
    register(this);
  }

  /** The camelCase names of the settable properties. */
  propertyNames(): string[] {
    return Object.keys(this.#traits).map(publicName).filter((n) =>
      n !== undefined
    );
  }

  /** True when a frontend can show this widget (its comm is open). */
  get connected(): boolean {
    return this.#comm !== undefined && !this.#comm.closed;
  }

  #where(key: string): string {
    return `${this.constructor.name}.${publicName(key) ?? key}`;
  }

  /**
   * Checks keys against each other after `changed` were set in `state`,
   * and may adjust others (a slider clamps its value into a new range).
   * Throws for a combination that cannot stand.
   */
  protected normalize(
    _state: Record<string, unknown>,
    _changed: string[],
  ): void {}

  /** The whole state in wire form (widgets as references, buffers in place). */
  wireState(): Record<string, unknown> {
    return wireForm(this.#traits, this.#state, Object.keys(this.#traits));
  }

  #send(method: "update" | "echo_update", state: Record<string, unknown>) {
    if (!this.connected || Object.keys(state).length === 0) return;
    const split = removeBuffers(state);
    this.#comm!.send(
      { method, state: split.state, buffer_paths: split.bufferPaths },
      { buffers: split.buffers },
    );
  }

  /** Sets state keys (snake_case) from a cell: validated, then sent and observed. */
  protected set(key: string, value: unknown): void {
    const trait = this.#traits[key];
    if (!trait || trait.readOnly) {
      throw new TypeError(`${this.#where(key)} cannot be set`);
    }
    const candidate = { ...this.#state };
    candidate[key] = trait.validate(value, this.#where(key));
    this.normalize(candidate, [key]);
    void this.#apply(candidate, "update");
  }

  /** Stores `candidate`, sends what changed with `method`, then tells the observers. */
  #apply(
    candidate: Record<string, unknown>,
    method: "update" | undefined,
  ): Promise<void> {
    const changes: Change[] = [];
    const changedKeys: string[] = [];
    for (const key of Object.keys(this.#traits)) {
      if (sameOnWire(this.#traits[key], this.#state[key], candidate[key])) {
        continue;
      }
      changedKeys.push(key);
      changes.push({
        name: publicName(key) ?? key,
        old: this.#state[key],
        new: candidate[key],
        owner: this,
      });
      this.#state[key] = candidate[key];
    }
    if (method) {
      this.#send(method, wireForm(this.#traits, this.#state, changedKeys));
    }
    return this.#notify(changes);
  }

  async #notify(changes: Change[]): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const change of changes) {
      for (const name of [change.name, "*"]) {
        for (const observer of this.#observers.get(name) ?? []) {
          const failed = (error: unknown) =>
            report(
              `an observer of ${this.constructor.name}.${change.name} threw: ${
                error instanceof Error ? error.stack ?? error.message : error
              }`,
            );
          try {
            const result = observer(change);
            if (result instanceof Promise) pending.push(result.catch(failed));
          } catch (error) {
            failed(error);
          }
        }
      }
    }
    await Promise.all(pending);
  }

  /**
   * Calls `fn` after `name` changes ("*" for every key); returns a function
   * that stops it. An observer that throws is reported and the others still run.
   */
  observe<T = unknown>(name: string, fn: Observer<T>): () => void {
    if (name !== "*" && !this.propertyNames().includes(name)) {
      throw new TypeError(
        `${this.constructor.name} has no property "${name}" to observe; it has ${
          this.propertyNames().join(", ")
        }`,
      );
    }
    const set = this.#observers.get(name) ?? new Set();
    this.#observers.set(name, set);
    set.add(fn as Observer);
    return () => set.delete(fn as Observer);
  }

  /** Calls `fn` for each custom message from the frontend (a Button's clicks). */
  onCustom(fn: CustomHandler): () => void {
    this.#custom.add(fn);
    return () => this.#custom.delete(fn);
  }

  /** Sends a custom message (`method: "custom"`) to the frontend's model. */
  send(content: unknown, buffers: Uint8Array[] = []): void {
    if (this.connected) {
      this.#comm!.send({ method: "custom", content }, { buffers });
    }
  }

  async #receive(message: CommMessage): Promise<void> {
    const { data } = message;
    switch (data.method) {
      case "update":
        return await this.#fromFrontend(message);
      case "request_state":
        return this.#send("update", this.wireState());
      case "custom": {
        const pending = [...this.#custom].map(async (fn) => {
          try {
            await fn(data.content, message.buffers);
          } catch (error) {
            report(
              `a custom-message handler of ${this.constructor.name} threw: ${
                error instanceof Error ? error.stack ?? error.message : error
              }`,
            );
          }
        });
        await Promise.all(pending);
        return;
      }
      default:
        report(
          `${this.constructor.name} ${this.modelId}: ignored a message with method ${
            JSON.stringify(data.method)
          }`,
        );
    }
  }

  async #fromFrontend(message: CommMessage): Promise<void> {
    const { data } = message;
    const state = data.state;
    const name = `${this.constructor.name} ${this.modelId}`;
    if (state === null || typeof state !== "object" || Array.isArray(state)) {
      return report(`${name}: an update without a state object was ignored`);
    }
    const incoming = structuredClone(state) as Record<string, unknown>;
    try {
      putBuffers(incoming, data.buffer_paths ?? [], message.buffers);
    } catch (error) {
      return report(`${name}: ${(error as Error).message}; update ignored`);
    }
    const { candidate, accepted } = acceptFromFrontend(
      this.#traits,
      this.#state,
      incoming,
      (key) => this.#where(key),
      lookup,
      report,
      name,
    );
    const kept = { ...this.#state };
    try {
      this.normalize(candidate, accepted);
    } catch (error) {
      report(
        `${
          (error as Error).message
        } (from the frontend; kept the kernel's values)`,
      );
      for (const key of Object.keys(this.#traits)) candidate[key] = kept[key];
    }
    // The spec's echo, of every settable key the frontend sent (as ipywidgets
    // does), with the value the kernel now holds: the sender clears its
    // pending change of each key only on an echo (without one it would drop
    // later echoes of that key), and other frontends see the kernel's value.
    const echoed = Object.keys(incoming).filter((key) =>
      this.#traits[key] && !this.#traits[key].readOnly
    );
    this.#send("echo_update", wireForm(this.#traits, candidate, echoed));
    await this.#apply(candidate, undefined);
    // Where the kernel holds something else than the frontend sent (a
    // rejected key, a value clamped into range), set the frontend back.
    const sent = (key: string) => JSON.stringify(incoming[key]);
    const back = Object.keys(this.#traits).filter((key) =>
      key in incoming
        ? !this.#traits[key].readOnly &&
          JSON.stringify(wireForm(this.#traits, this.#state, [key])[key]) !==
            sent(key)
        : !sameOnWire(this.#traits[key], kept[key], this.#state[key])
    );
    this.#send("update", wireForm(this.#traits, this.#state, back));
  }

  /** Closes the comm: the frontend's views go away and the widget is dead. */
  close(): void {
    this.#comm?.close();
    unregister(this.modelId);
  }

  /** One line (or a few, for boxes) that stands for the widget in plain text. */
  textForm(): string {
    const parts: string[] = [];
    if (this.#state.description) {
      parts.push(JSON.stringify(this.#state.description));
    }
    if ("value" in this.#state) {
      const v = this.#state.value;
      parts.push(
        v instanceof Uint8Array
          ? `${v.length} bytes`
          : `value=${JSON.stringify(v)}`,
      );
    }
    return `${this.constructor.name}(${parts.join(", ")})`;
  }

  /** The text form. */
  toString(): string {
    return this.textForm();
  }

  /** The widget view for a frontend with widgets, the text form for the rest. */
  [DISPLAY](): MimeBundle {
    const text = { "text/plain": this.textForm() };
    if (!this.connected) return text;
    return {
      [WIDGET_VIEW_MIME]: {
        version_major: 2,
        version_minor: 0,
        model_id: this.modelId,
      },
      ...text,
    };
  }

  [Symbol.for("Deno.customInspect")](): string {
    return this.textForm();
  }
}
