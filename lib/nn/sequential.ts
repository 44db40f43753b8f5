/**
 * `Sequential`: an array of modules applied in order. A failing layer's
 * error names its index, class and input shape.
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import { Module } from "./module.ts";
import { Conv2d, Linear } from "./layers.ts";
import { ReLU } from "./simple.ts";
import { showShape } from "../core/shape.ts";

/** Modules applied one after another, PyTorch's nn.Sequential. */
export class Sequential extends Module {
  /** The layers, in order. */
  readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
  }

  protected override childName(_field: string, index: number): string {
    return String(index);
  }

  /** Number of layers. */
  get length(): number {
    return this.layers.length;
  }

  /** The layer at `index` (negative counts from the end). */
  at(index: number): Module {
    const layer = this.layers.at(index);
    if (!layer) {
      throw new RangeError(
        `Sequential has ${this.layers.length} layers: no index ${index}`,
      );
    }
    return layer;
  }

  /** Iterates the layers. */
  [Symbol.iterator](): Iterator<Module> {
    return this.layers[Symbol.iterator]();
  }

  /**
   * Applies the layers in order. A Conv2d or Linear followed by a ReLU runs
   * as one kernel with the ReLU in its store (the same values, one pass
   * fewer each way); subclasses, which may change `forward`, run as written.
   */
  forward(input: Tensor): Tensor {
    let x = input;
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i];
      const fused = fusesRelu(layer, this.layers[i + 1]);
      try {
        x = fused ? fused.forwardRelu(x) : layer.forward(x);
      } catch (error) {
        throw layerError(error, i, layer, x.shape);
      }
      if (fused) i++;
    }
    return x;
  }
}

/**
 * `layer` when it is a plain Conv2d or Linear and `next` a plain ReLU: the
 * pair that `Sequential.forward` runs as one kernel (bench/profile.ts
 * profiles the same pairs).
 */
export function fusesRelu(
  layer: Module,
  next: Module | undefined,
): Conv2d | Linear | undefined {
  if (next?.constructor !== ReLU) return undefined;
  if (layer.constructor === Conv2d || layer.constructor === Linear) {
    return layer as Conv2d | Linear;
  }
  return undefined;
}

/** Errors already wrapped by a Sequential: an inner one's message names its layer. */
const wrapped = new WeakSet<Error>();

/**
 * Wraps an error from layer `index` so that it names the layer and its
 * input shape. The wrapper is a copy of the error (same class, `cause` and
 * other fields) with the layer prepended to its message; an error already
 * wrapped by an inner Sequential passes through unchanged.
 */
export function layerError(
  error: unknown,
  index: number,
  layer: Module,
  inputShape: readonly number[],
): unknown {
  if (!(error instanceof Error) || wrapped.has(error)) return error;
  const copy: Error = Object.create(Object.getPrototypeOf(error));
  for (const key of Reflect.ownKeys(error)) {
    Object.defineProperty(
      copy,
      key,
      Object.getOwnPropertyDescriptor(error, key)!,
    );
  }
  const prefix =
    `Layer ${index} (${layer.constructor.name}) failed on input of shape ${
      showShape(inputShape)
    }: `;
  const own = (key: string, value: unknown) =>
    Object.defineProperty(copy, key, {
      value,
      writable: true,
      configurable: true,
    });
  own("message", prefix + error.message);
  // The stack's first line repeats the message; the frames stay the original's.
  if (error.stack) {
    own(
      "stack",
      `${error.name}: ${copy.message}\n` +
        error.stack.split("\n").slice(1).join("\n"),
    );
  }
  wrapped.add(copy);
  return copy;
}
