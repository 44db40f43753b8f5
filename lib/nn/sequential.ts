/**
 * `Sequential`: an array of modules applied in order. A failing layer's
 * error names its index, class and input shape.
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import { Module } from "./module.ts";
import { showShape } from "../shape.ts";

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

  forward(input: Tensor): Tensor {
    let x = input;
    this.layers.forEach((layer, i) => {
      try {
        x = layer.forward(x);
      } catch (error) {
        throw layerError(error, i, layer, x.shape);
      }
    });
    return x;
  }
}

/** Wraps an error from layer `index` so it names the layer and its input shape, keeping its class. */
export function layerError(
  error: unknown,
  index: number,
  layer: Module,
  inputShape: readonly number[],
): unknown {
  if (!(error instanceof Error) || error.message.startsWith("Layer ")) {
    return error;
  }
  const Class = error.constructor as new (message: string) => Error;
  const wrapped = new Class(
    `Layer ${index} (${layer.constructor.name}) failed on input of shape ${
      showShape(inputShape)
    }: ${error.message}`,
  );
  wrapped.stack = wrapped.stack?.split("\n")[0] + "\n" +
    (error.stack?.split("\n").slice(1).join("\n") ?? "");
  return wrapped;
}
