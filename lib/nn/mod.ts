/**
 * Neural-network layers, PyTorch's torch.nn spelled the TypeScript way.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nn, randn } from "../mod.ts";
 * const net = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.Flatten());
 * assert.equal(net.forward(randn([2, 1, 5, 5])).shape.join(), "2,100");
 * ```
 *
 * @module
 */
export { Module, parameter, type StateDict } from "./module.ts";
export { Sequential } from "./sequential.ts";
export { Conv2d, type Conv2dLayerOptions, Linear } from "./layers.ts";
export {
  AvgPool2d,
  CrossEntropyLoss,
  Dropout,
  Flatten,
  LocalResponseNorm,
  MaxPool2d,
  ReLU,
  Sigmoid,
  Tanh,
} from "./simple.ts";
export * as init from "./init.ts";
