/**
 * Output (@jupyter-widgets/output 1.0): a box of notebook outputs.
 *
 * Two ways in. `capture(fn)` sets the model's `msg_id` to the request the
 * kernel is running ({@link Comms.currentMessageId}); the frontend then
 * routes every output of that request (display(), console.log, errors)
 * into the widget instead of the cell, which is how ipywidgets' `with out:`
 * works. `append*` and `clear` edit the `outputs` state directly, which
 * works from anywhere, a comm handler included.
 *
 * @module
 */
import { kernelComms } from "../comms.ts";
import { DISPLAY, type MimeBundle } from "../display.ts";
import { Widget } from "./widget.ts";
import { type DomOptions, domTraits } from "./layout.ts";
import { json, str } from "./traits.ts";

/** One output as nbformat stores it (display_data, stream, error ...). */
export type OutputItem = Record<string, unknown> & { output_type: string };

/**
 * The MIME bundle of any value: its `Symbol.for("Jupyter.display")` method,
 * else text (a string as itself, anything else through Deno.inspect).
 */
export async function bundleOf(value: unknown): Promise<MimeBundle> {
  const method = (value as { [DISPLAY]?: () => unknown } | null)?.[DISPLAY];
  if (typeof method === "function") {
    const bundle = await method.call(value);
    if (bundle !== null && typeof bundle === "object") {
      return bundle as MimeBundle;
    }
  }
  return {
    "text/plain": typeof value === "string"
      ? value
      : Deno.inspect(value, { colors: false }),
  };
}

/**
 * A widget that holds outputs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Output } from "./mod.ts";
 * const out = new Output();
 * out.appendStdout("epoch 1\n");
 * await out.appendDisplay("done");
 * assert.equal(out.outputs.length, 2);
 * out.clear();
 * assert.deepEqual(out.outputs, []);
 * ```
 */
export class Output extends Widget {
  declare outputs: OutputItem[];
  declare msgId: string;

  constructor(options: DomOptions = {}) {
    super(
      {
        modelName: "OutputModel",
        modelModule: "@jupyter-widgets/output",
        modelModuleVersion: "1.0.0",
        viewName: "OutputView",
        viewModule: "@jupyter-widgets/output",
        viewModuleVersion: "1.0.0",
      },
      { ...domTraits(), msg_id: str(), outputs: json<OutputItem[]>(() => []) },
      options,
    );
  }

  /**
   * Runs `fn` with this widget capturing the running request's outputs
   * (in a frontend with widgets); `fn`'s result is returned. Captures nest:
   * the outer capture resumes after an inner one.
   */
  async capture<T>(fn: () => T | Promise<T>): Promise<T> {
    const before = this.msgId;
    const id = kernelComms()?.currentMessageId;
    if (id) this.msgId = id;
    try {
      return await fn();
    } finally {
      if (id) this.msgId = before;
    }
  }

  /** Appends text as a stream output ("stdout" or "stderr"). */
  appendStdout(text: string, name: "stdout" | "stderr" = "stdout"): void {
    this.outputs = [...this.outputs, { output_type: "stream", name, text }];
  }

  /** Appends a value as display_data (its MIME bundle; see {@link bundleOf}). */
  async appendDisplay(value: unknown): Promise<void> {
    const data = await bundleOf(value);
    this.outputs = [...this.outputs, {
      output_type: "display_data",
      data,
      metadata: {},
    }];
  }

  /** Replaces every output with one value's display (an in-place redraw). */
  async show(value: unknown): Promise<void> {
    const data = await bundleOf(value);
    this.outputs = [{ output_type: "display_data", data, metadata: {} }];
  }

  /** Appends an error (name, message, stack lines). */
  appendError(error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error));
    this.outputs = [...this.outputs, {
      output_type: "error",
      ename: e.name,
      evalue: e.message,
      traceback: (e.stack ?? e.message).split("\n"),
    }];
  }

  /** Removes every output. */
  clear(): void {
    this.outputs = [];
  }

  override textForm(): string {
    return this.outputs.map((o) => {
      if (o.output_type === "stream") return String(o.text).replace(/\n$/, "");
      if (o.output_type === "error") return `${o.ename}: ${o.evalue}`;
      const data = o.data as MimeBundle | undefined;
      return String(data?.["text/plain"] ?? `[${o.output_type}]`);
    }).join("\n");
  }
}
