/**
 * The kernel's side of the language service's thread (language_worker.ts):
 * the one client for type checks, completions, signature help and quick
 * info. The kernel starts it at its own start, so the worker's warm-up runs
 * in the background while the user opens the notebook; it runs whatever
 * DENO_WEBGPU_TYPECHECK says, since completion needs it too.
 */
import type { CellChecks, CheckMode, CheckOutcome } from "./check_mode.ts";
import type {
  SignatureInfo,
  StaticCompletions,
  SymbolInfo,
} from "./language_service.ts";
import type { Logger } from "./log.ts";
import type { CellDiagnostic } from "./type_check.ts";
import type { Method, WorkerReply, WorkerRequest } from "./language_worker.ts";

/** How long a cell waits for its check before it runs (or replies) without it. */
export const CHECK_TIMEOUT_MS = 10_000;

/** The same while the worker still starts (a loaded machine may take seconds to load TypeScript). */
export const START_TIMEOUT_MS = 60_000;

interface Pending {
  method: Method;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** The language service on its own thread. */
export class LanguageClient {
  readonly #logger: Logger;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #failure: string | null = null;
  #ready = false;

  /**
   * Starts the worker and its warm-up.
   *
   * @param folder the notebook's folder (absolute path)
   * @param logger for timings and failures
   */
  constructor(folder: string, logger: Logger) {
    this.#logger = logger;
    this.#worker = new Worker(
      new URL("./language_worker.ts", import.meta.url).href,
      { type: "module", name: "language-service" },
    );
    this.#worker.onmessage = (event: MessageEvent<WorkerReply>) =>
      this.#receive(event.data);
    this.#worker.onerror = (event) => {
      // Handled here: an uncaught worker error would end the kernel.
      event.preventDefault();
      this.#fail(`the language service crashed: ${event.message}`);
    };
    this.#post({ op: "start", folder });
  }

  /**
   * The checks execute_request uses, in a mode.
   *
   * @param mode "warn" or "error"
   * @returns checks answered by this client
   */
  checks(mode: Exclude<CheckMode, "off">): CellChecks {
    return { mode, check: (code) => this.check(code) };
  }

  /**
   * Checks a cell over the cells added so far.
   *
   * @param code the cell
   * @param timeoutMs how long to wait (by default 10 s, 60 s before the worker is warm)
   * @returns the diagnostics, or why there are none
   */
  async check(
    code: string,
    timeoutMs: number = this.#ready ? CHECK_TIMEOUT_MS : START_TIMEOUT_MS,
  ): Promise<CheckOutcome> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<CheckOutcome>((resolve) =>
      timer = setTimeout(() =>
        resolve({
          ok: false,
          reason: `the type check took longer than ${timeoutMs / 1000} s`,
        }), timeoutMs)
    );
    const checked = this.#call<CellDiagnostic[]>("check", [code]).then(
      (diagnostics): CheckOutcome => ({ ok: true, diagnostics }),
      (error: Error): CheckOutcome => ({ ok: false, reason: error.message }),
    );
    try {
      return await Promise.race([checked, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** @param code a cell that ran (which cells join: cell_history.ts) */
  add(code: string): void {
    if (this.#failure === null) this.#post({ op: "add", code });
  }

  /**
   * @param code the cell being edited
   * @param index a UTF-16 index
   * @param withSource also the declaration's source
   * @returns what CellTypes.quickInfo gives
   */
  quickInfo(
    code: string,
    index: number,
    withSource = false,
  ): Promise<SymbolInfo | null> {
    return this.#call("quickInfo", [code, index, withSource]);
  }

  /**
   * @param code the cell being edited
   * @param index a UTF-16 index
   * @param withSource also the callee's source
   * @returns what CellTypes.signatureHelp gives
   */
  signatureHelp(
    code: string,
    index: number,
    withSource = false,
  ): Promise<SignatureInfo | null> {
    return this.#call("signatureHelp", [code, index, withSource]);
  }

  /**
   * @param code the cell being typed
   * @param index a UTF-16 index
   * @returns what CellTypes.completions gives
   */
  completions(code: string, index: number): Promise<StaticCompletions | null> {
    return this.#call("completions", [code, index]);
  }

  /** Ends the thread; pending and later calls fail. */
  close(): void {
    this.#worker.terminate();
    // Not a failure worth a log line.
    this.#failure ??= "the kernel is shutting down";
    this.#fail(this.#failure);
  }

  #call<T>(method: Method, args: unknown[]): Promise<T> {
    if (this.#failure !== null) {
      return Promise.reject(new Error(this.#failure));
    }
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, {
        method,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.#post({ op: "call", id, method, args });
    });
  }

  #receive(reply: WorkerReply): void {
    if (reply.op === "ready") {
      this.#ready = true;
      this.#logger.debug(`language service warm in ${reply.ms.toFixed(0)} ms`);
      return;
    }
    if (reply.op === "failed") {
      this.#fail(`the language service failed to start: ${reply.error}`);
      return;
    }
    const pending = this.#pending.get(reply.id);
    this.#pending.delete(reply.id);
    if (!pending) return;
    if ("error" in reply) {
      // A request that threw (a TypeScript bug on some cell) fails alone.
      this.#logger.warn(`${pending.method} ${reply.id} failed: ${reply.error}`);
      pending.reject(
        new Error(
          pending.method === "check"
            ? "the type checker failed on this cell"
            : reply.error,
        ),
      );
      return;
    }
    if (pending.method === "check") {
      this.#logger.debug(
        `type check ${reply.id}: ${
          (reply.value as unknown[]).length
        } diagnostics in ${reply.ms.toFixed(0)} ms`,
      );
    }
    pending.resolve(reply.value);
  }

  #fail(reason: string): void {
    if (this.#failure === null) this.#logger.warn(reason);
    this.#failure ??= reason;
    for (const { reject } of this.#pending.values()) {
      reject(new Error(this.#failure));
    }
    this.#pending.clear();
  }

  #post(request: WorkerRequest): void {
    this.#worker.postMessage(request);
  }
}
