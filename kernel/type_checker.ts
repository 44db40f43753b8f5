/**
 * The kernel's side of the type checker: a worker thread holds the
 * notebook's NotebookChecker (type_check.ts), so a check never blocks the
 * kernel's event loop (output, interrupts) and runs beside the executor. It
 * starts with the kernel and warms up in the background: the first check
 * otherwise parses Deno's and the library's declarations (most of a second).
 */
import type { Logger } from "./log.ts";
import type { CellDiagnostic } from "./type_check.ts";

/** How type errors affect a cell: not checked, reported, or blocking it. */
export type CheckMode = "off" | "warn" | "error";

/** The environment variable (kernel.json's `env`) that sets the mode. */
export const CHECK_MODE_VARIABLE = "DENO_WEBGPU_TYPECHECK";

/** How long a cell waits for its check before it runs (or replies) without it. */
export const CHECK_TIMEOUT_MS = 10_000;

/** The same while the worker still starts (a loaded machine may take seconds to load TypeScript). */
export const START_TIMEOUT_MS = 60_000;

/**
 * Reads the mode.
 *
 * @param value the variable's value
 * @returns the mode ("warn" when unset), or null for a value that is none
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkMode } from "./type_checker.ts";
 * assert.equal(checkMode(undefined), "warn");
 * assert.equal(checkMode(" Error "), "error");
 * assert.equal(checkMode("strict"), null);
 * ```
 */
export function checkMode(value: string | undefined): CheckMode | null {
  const mode = (value ?? "warn").trim().toLowerCase() || "warn";
  return mode === "off" || mode === "warn" || mode === "error" ? mode : null;
}

/** What the kernel sends the worker. */
export type CheckerRequest =
  | { type: "start"; folder: string }
  | { type: "check"; id: number; code: string }
  | { type: "add"; code: string };

/** What the worker answers. */
export type CheckerReply =
  | { type: "ready"; ms: number }
  | { type: "checked"; id: number; diagnostics: CellDiagnostic[]; ms: number }
  | { type: "failed"; id?: number; error: string };

/** A check's outcome: the cell's diagnostics, or why there are none to give. */
export type CheckOutcome =
  | { ok: true; diagnostics: CellDiagnostic[] }
  | { ok: false; reason: string };

/** What execute_request uses of the checker (faked in tests). */
export interface CellChecks {
  /** "warn" or "error": with "off" there is no checker. */
  readonly mode: Exclude<CheckMode, "off">;
  /**
   * Checks a cell over the cells added so far.
   *
   * @param code the cell
   * @returns the diagnostics located in the cell
   */
  check(code: string): Promise<CheckOutcome>;
  /**
   * Adds a cell that ran, so later cells see its declarations.
   *
   * @param code the cell
   */
  add(code: string): void;
}

/** The checker in its worker. */
export class TypeChecker implements CellChecks {
  readonly mode: Exclude<CheckMode, "off">;
  readonly #logger: Logger;
  readonly #worker: Worker;
  readonly #pending = new Map<number, (outcome: CheckOutcome) => void>();
  #sequence = 0;
  #failure: string | null = null;
  #ready = false;

  /**
   * Starts the worker and its warm-up.
   *
   * @param folder the notebook's folder
   * @param mode "warn" or "error"
   * @param logger for timings and failures
   */
  constructor(
    folder: string,
    mode: Exclude<CheckMode, "off">,
    logger: Logger,
  ) {
    this.mode = mode;
    this.#logger = logger;
    this.#worker = new Worker(
      new URL("./type_check_worker.ts", import.meta.url),
      { type: "module", name: "type-check" },
    );
    this.#worker.onmessage = (event: MessageEvent<CheckerReply>) =>
      this.#receive(event.data);
    this.#worker.onerror = (event) => {
      // Handled here: an uncaught worker error would end the kernel.
      event.preventDefault();
      this.#fail(`the type checker crashed: ${event.message}`);
    };
    this.#send({ type: "start", folder });
  }

  /**
   * @param code the cell
   * @param timeoutMs how long to wait (by default 10 s, 60 s before the worker is warm)
   * @returns the diagnostics, or why there are none
   */
  check(
    code: string,
    timeoutMs: number = this.#ready ? CHECK_TIMEOUT_MS : START_TIMEOUT_MS,
  ): Promise<CheckOutcome> {
    if (this.#failure !== null) {
      return Promise.resolve({ ok: false, reason: this.#failure });
    }
    const id = ++this.#sequence;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve({
          ok: false,
          reason: `the type check took longer than ${timeoutMs / 1000} s`,
        });
      }, timeoutMs);
      this.#pending.set(id, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      this.#send({ type: "check", id, code });
    });
  }

  /**
   * @param code a cell that ran
   */
  add(code: string): void {
    if (this.#failure === null) this.#send({ type: "add", code });
  }

  /** Ends the worker. */
  close(): void {
    this.#worker.terminate();
    // Not a failure worth a log line.
    this.#failure ??= "the kernel is shutting down";
    this.#fail(this.#failure);
  }

  #send(request: CheckerRequest): void {
    this.#worker.postMessage(request);
  }

  #receive(reply: CheckerReply): void {
    switch (reply.type) {
      case "ready":
        this.#ready = true;
        this.#logger.debug(`type checker warm in ${reply.ms.toFixed(0)} ms`);
        break;
      case "checked":
        this.#logger.debug(
          `type check ${reply.id}: ${reply.diagnostics.length} diagnostics in ${
            reply.ms.toFixed(0)
          } ms`,
        );
        this.#pending.get(reply.id)?.({
          ok: true,
          diagnostics: reply.diagnostics,
        });
        this.#pending.delete(reply.id);
        break;
      case "failed":
        // A check that threw (a TypeScript bug on some cell) skips that
        // cell; a failed start leaves nothing to check with.
        if (reply.id === undefined) {
          this.#fail(`the type checker failed: ${reply.error}`);
          break;
        }
        this.#logger.warn(`type check ${reply.id} failed: ${reply.error}`);
        this.#pending.get(reply.id)?.({
          ok: false,
          reason: "the type checker failed on this cell",
        });
        this.#pending.delete(reply.id);
    }
  }

  #fail(reason: string): void {
    if (this.#failure === null) this.#logger.warn(reason);
    this.#failure ??= reason;
    for (const resolve of this.#pending.values()) {
      resolve({ ok: false, reason });
    }
    this.#pending.clear();
  }
}
