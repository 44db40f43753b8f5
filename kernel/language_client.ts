/**
 * The kernel's side of the language service's thread (language_worker.ts):
 * the same methods as CellTypes, answered asynchronously.
 */
import type { Method, WorkerReply, WorkerRequest } from "./language_worker.ts";
import type {
  SignatureInfo,
  StaticCompletions,
  SymbolInfo,
} from "./language_service.ts";

/** The language service on its own thread. */
export class LanguageClient {
  readonly #worker: Worker;
  readonly #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  #next = 0;
  #failed: Error | null = null;

  /** @param folder the notebook's folder (absolute path) */
  constructor(folder: string) {
    this.#worker = new Worker(
      new URL("./language_worker.ts", import.meta.url).href,
      { type: "module" },
    );
    this.#worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const reply = event.data;
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if ("error" in reply) pending?.reject(new Error(reply.error));
      else pending?.resolve(reply.value);
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#failed = new Error(
        `the language service stopped: ${event.message}`,
      );
      for (const { reject } of this.#pending.values()) reject(this.#failed);
      this.#pending.clear();
    };
    this.#post({ op: "start", folder });
  }

  /** @param code a cell that ran */
  addCell(code: string): void {
    this.#post({ op: "addCell", code });
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

  /** Ends the thread; pending calls fail. */
  close(): void {
    this.#worker.terminate();
    this.#failed ??= new Error("the language service was closed");
    for (const { reject } of this.#pending.values()) reject(this.#failed);
    this.#pending.clear();
  }

  #call<T>(method: Method, args: unknown[]): Promise<T> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.#post({ op: "call", id, method, args });
    });
  }

  #post(request: WorkerRequest): void {
    this.#worker.postMessage(request);
  }
}
