/**
 * `summary(model, inputShape)`: runs a forward pass on zeros of that shape
 * and reports each layer's output shape and parameter count, as the
 * course's shape check prints it.
 *
 * @module
 */
import type { Module } from "./nn/module.ts";
import { layerError, Sequential } from "./nn/sequential.ts";
import { zeros } from "./ops/mod.ts";
import { noGrad } from "./core/autograd.ts";
import { tidy } from "./core/scope.ts";
import { DISPLAY } from "./display.ts";
import { checkShape } from "./core/shape.ts";

/** One layer's row. */
export interface SummaryRow {
  /** The layer's class name. */
  name: string;
  outputShape: number[];
  params: number;
}

/** The table: rows, the total, a text form in the course's style and an HTML table. */
export interface Summary {
  rows: SummaryRow[];
  totalParams: number;
  toString(): string;
  [DISPLAY](): Record<string, string>;
}

/** Leaf layers in order: nested Sequentials are opened. */
function leaves(model: Module): Module[] {
  if (!(model instanceof Sequential)) return [model];
  return model.layers.flatMap(leaves);
}

/**
 * The shape table of `model` for an input of `inputShape`, e.g.
 * `summary(alexnet(), [1, 1, 224, 224])`. Evaluation mode is used for the
 * pass (dropout off) and the model's mode is restored.
 *
 * @throws {TypeError} When a layer rejects its input: names the layer index, class and shapes.
 */
export function summary(model: Module, inputShape: readonly number[]): Summary {
  const shape = checkShape(inputShape, "summarise a model");
  const layers = leaves(model);
  const wasTraining = model.training;
  model.eval();
  const rows: SummaryRow[] = [];
  try {
    noGrad(() =>
      tidy(() => {
        let x = zeros(shape);
        layers.forEach((layer, i) => {
          try {
            x = layer.forward(x);
          } catch (error) {
            throw layerError(error, i, layer, x.shape);
          }
          rows.push({
            name: layer.constructor.name,
            outputShape: [...x.shape],
            params: layer.numParameters(),
          });
        });
      })
    );
  } finally {
    model.train(wasTraining);
  }
  const totalParams = rows.reduce((total, r) => total + r.params, 0);
  const width = Math.max(...rows.map((r) => r.name.length));
  return {
    rows,
    totalParams,
    toString() {
      const lines = rows.map((r) =>
        `${r.name} output shape:`.padEnd(width + 15) +
        ` [${r.outputShape.join(", ")}]`
      );
      return [
        ...lines,
        `Total parameters: ${totalParams.toLocaleString("en-US")}`,
      ].join("\n");
    },
    [DISPLAY]() {
      const body = rows.map((r, i) =>
        `<tr><td>${i}</td><td>${r.name}</td><td>[${
          r.outputShape.join(", ")
        }]</td>` +
        `<td style="text-align:right">${
          r.params.toLocaleString("en-US")
        }</td></tr>`
      ).join("");
      return {
        "text/plain": this.toString(),
        "text/html":
          `<table><tr><th>#</th><th>layer</th><th>output shape</th><th>parameters</th></tr>${body}` +
          `<tr><td></td><td><b>total</b></td><td></td><td style="text-align:right"><b>${
            totalParams.toLocaleString("en-US")
          }</b></td></tr></table>`,
      };
    },
  };
}
