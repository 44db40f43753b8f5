/**
 * Interrupts inside the executor. A cell can only be stopped where it
 * awaits: the transpiler wraps every awaited value in the await hook, which
 * races it against the cell's interrupt promise. Library code that awaits
 * outside the cell's own awaits (a training loop) checks an AbortSignal.
 */

/** The error an interrupted cell ends with. */
export class Interrupted extends Error {
  override name = "Interrupted";
  constructor() {
    super(
      "Execution interrupted: the cell stopped at its next await; earlier state is kept",
    );
  }
}

let interrupted = false;
let rejectInterrupt: (error: Interrupted) => void = () => {};
let interruptPromise: Promise<never> = newInterruptPromise();

function newInterruptPromise(): Promise<never> {
  const promise = new Promise<never>((_, reject) => rejectInterrupt = reject);
  promise.catch(() => {}); // raced, never awaited alone: no unhandled rejection
  return promise;
}

/**
 * Library code (a training loop) awaits outside the cell's own awaits, so an
 * interrupt also aborts this signal, which such code checks between steps:
 * `globalThis[Symbol.for("deno-webgpu.kernel.abort")]`, renewed per cell.
 */
const ABORT_KEY = Symbol.for("deno-webgpu.kernel.abort");
let abortController = new AbortController();

function publishAbortSignal(): void {
  Object.defineProperty(globalThis, ABORT_KEY, {
    value: abortController.signal,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
publishAbortSignal();

/** Starts a cell: clears the last interrupt and renews the promise and signal. */
export function beginCell(): void {
  interrupted = false;
  interruptPromise = newInterruptPromise();
  abortController = new AbortController();
  publishAbortSignal();
}

/** Interrupts the running cell at its next await. */
export function interruptCell(): void {
  interrupted = true;
  abortController.abort(new Interrupted());
  rejectInterrupt(new Interrupted());
}

/**
 * A promise that rejects with Interrupted when the running cell is interrupted.
 *
 * @returns the current cell's interrupt promise (never resolves)
 */
export function whenInterrupted(): Promise<never> {
  return interruptPromise;
}

/**
 * The await hook (AWAIT_HOOK): wrapped around every awaited value in a cell.
 *
 * @param value what the cell awaits
 * @returns the value, or a promise that also rejects on interrupt
 * @throws {Interrupted} when the cell was interrupted before this await
 */
export function awaitHook<T>(value: T): T | Promise<T> {
  if (interrupted) throw new Interrupted();
  const thenable = (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function";
  return thenable
    ? Promise.race([value as unknown as Promise<T>, interruptPromise])
    : value;
}
