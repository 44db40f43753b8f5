/**
 * The Tensor of the core: float32 data in a GPU buffer, contiguous and
 * row-major, with a shape, the autograd fields (`requiresGrad`, `grad`,
 * `gradFn`), reading back, freeing and display.
 *
 * It imports no op: the methods that run ops (`add`, `matmul`, `sum`,
 * `backward`, ...) are bound onto this class by `lib/tensor.ts`, the one
 * seam where the core calls up into `lib/ops/`. Code above the core
 * imports `Tensor` from there, so the methods are always bound.
 *
 * @module
 */
import type { Node } from "./autograd.ts";
import { copyBuffer, readBuffer } from "../device/recorder.ts";
import { Storage } from "./storage.ts";
import { track } from "./scope.ts";
import { reportDeferred } from "./deferred_checks.ts";
import { setReclaimer } from "../device/memory_budget.ts";
import { formatHtml, formatText } from "./format.ts";
import { DISPLAY } from "../display.ts";
import { checkSameShape, normalizeDim, numelOf } from "./shape.ts";
import type { TensorLike } from "./types.ts";

// Tensors dropped without dispose() give their data back when collected:
// through the registry (a task, some time later), or at once when the
// allocator crosses its budget and calls reclaim() (gc() where exposed, then
// a sweep of weak references). `released` makes the two paths exclusive.
interface Hold {
  ref: WeakRef<Tensor>;
  storage: Storage;
  released: boolean;
}
const holds = new Set<Hold>();
const collected = new FinalizationRegistry<Hold>((hold) => {
  holds.delete(hold);
  if (!hold.released) {
    hold.released = true;
    hold.storage.release();
  }
});

/** Frees the storage of every tensor JavaScript has collected; runs gc() when exposed. */
function reclaim(): void {
  (globalThis as { gc?: () => void }).gc?.();
  for (const hold of holds) {
    if (hold.ref.deref() === undefined) {
      holds.delete(hold);
      if (!hold.released) {
        hold.released = true;
        hold.storage.release();
      }
    }
  }
}
setReclaimer(reclaim);

/** A float32 tensor on the GPU. */
export class Tensor {
  #storage: Storage;
  #disposed = false;
  #hold: Hold;
  /** Sizes of the dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Whether gradients flow to (a leaf) or through (a result) this tensor. */
  requiresGrad = false;
  /** The accumulated gradient of a leaf, after `backward()`. */
  grad: Tensor | null = null;
  /** The op that made this tensor, when recorded for autograd. */
  gradFn: Node | null = null;

  /** Wraps a storage reference (taking it over); use the creation functions instead. */
  constructor(storage: Storage, shape: readonly number[]) {
    this.#storage = storage;
    this.shape = Object.freeze([...shape]);
    this.#hold = { ref: new WeakRef(this), storage, released: false };
    holds.add(this.#hold);
    collected.register(this, this.#hold, this);
    track(this);
  }

  /**
   * A new tensor owning `buffer`, which holds `shape`'s elements.
   *
   * @internal for ops (the kernel lists it last in completions)
   */
  static fromBuffer(buffer: GPUBuffer, shape: readonly number[]): Tensor {
    return new Tensor(new Storage(buffer, numelOf(shape)), shape);
  }

  /**
   * The GPU buffer; throws after `dispose()`.
   *
   * @internal for ops (the kernel lists it last in completions)
   */
  get buffer(): GPUBuffer {
    if (this.#disposed) {
      throw new Error(`Cannot use a disposed tensor of shape [${this.shape}]`);
    }
    return this.#storage.buffer;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get numel(): number {
    return numelOf(this.shape);
  }

  /** Whether `dispose()` was called. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Size of one dimension (negative counts from the end), or the whole shape. */
  size(dim?: number): number | readonly number[] {
    if (dim === undefined) return this.shape;
    return this.shape[normalizeDim(dim, this.ndim, "size")];
  }

  /**
   * Another tensor object sharing this one's data (no autograd history).
   *
   * @internal for ops (the kernel lists it last in completions)
   */
  handle(shape: readonly number[] = this.shape): Tensor {
    if (this.#disposed) {
      throw new Error(`Cannot use a disposed tensor of shape [${this.shape}]`);
    }
    return new Tensor(this.#storage.retain(), shape);
  }

  /** Frees this tensor's hold on its data; safe to call twice. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    collected.unregister(this);
    holds.delete(this.#hold);
    this.#hold.released = true;
    this.#storage.release();
  }

  /** For `using t = ...`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Replaces this tensor's data with `source`'s (same shape), keeping its identity; no autograd. */
  assign(source: Tensor): this {
    checkSameShape("assign", this.shape, source.shape);
    copyBuffer(source.buffer, this.buffer, this.numel * 4);
    return this;
  }

  // ---- reading back (the only async part of the API)

  /** The values, row-major. */
  async data(): Promise<Float32Array> {
    const bytes = await readBuffer(this.buffer, this.numel * 4);
    // GPU-side input checks of earlier ops report here, not per step.
    await reportDeferred((t) => t.data());
    return new Float32Array(bytes);
  }

  /** The values as nested arrays of numbers. */
  async toArray(): Promise<TensorLike> {
    const values = Array.from(await this.data());
    const nest = (offset: number, dim: number): TensorLike => {
      if (dim === this.ndim) return values[offset];
      const stride = this.shape.slice(dim + 1).reduce((p, s) => p * s, 1);
      return Array.from(
        { length: this.shape[dim] },
        (_, i) => nest(offset + i * stride, dim + 1),
      ) as TensorLike;
    };
    return nest(0, 0);
  }

  /** The value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.numel !== 1) {
      throw new TypeError(
        `Cannot take item() of a tensor of shape [${this.shape}]: it has ${this.numel} elements, not 1`,
      );
    }
    return (await this.data())[0];
  }

  // ---- autograd

  /** A tensor sharing this one's data, cut from the graph. */
  detach(): Tensor {
    return this.handle();
  }

  /** Sets `requiresGrad` (on a leaf) and returns this. */
  requiresGrad_(value = true): this {
    if (this.gradFn && !value) {
      throw new Error(
        "Cannot set requiresGrad = false on a non-leaf tensor: detach() it",
      );
    }
    this.requiresGrad = value;
    return this;
  }

  /** Tensors here are always contiguous: returns this. */
  contiguous(): Tensor {
    return this;
  }

  // ---- text and notebook display

  /** A one-line summary (values need `await`: see `display`). */
  toString(): string {
    return `Tensor(shape=[${this.shape.join(", ")}]${
      this.requiresGrad ? ", requiresGrad=true" : ""
    }${this.gradFn ? `, gradFn=${this.gradFn.name}` : ""})`;
  }

  /** Deno.inspect / console.log show the summary. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  /** The text form with values, PyTorch-like. */
  async format(): Promise<string> {
    return formatText(
      this.shape,
      await this.data(),
      this.requiresGrad,
      this.gradFn?.name,
    );
  }

  /** Jupyter's display protocol: text with values, and HTML (a table for small 2-D tensors). */
  async [DISPLAY](): Promise<Record<string, string>> {
    const values = await this.data();
    return {
      "text/plain": formatText(
        this.shape,
        values,
        this.requiresGrad,
        this.gradFn?.name,
      ),
      "text/html": formatHtml(this.shape, values, this.requiresGrad),
    };
  }
}
