/**
 * Optimizers and learning-rate schedules, PyTorch's torch.optim.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nn, optim } from "../mod.ts";
 * const model = new nn.Linear(4, 2);
 * const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
 * const schedule = new optim.StepLR(opt, 30, { gamma: 0.1 });
 * assert.equal(schedule.getLastLr()[0], 0.01);
 * ```
 *
 * @module
 */
export {
  Optimizer,
  type OptimizerOptions,
  type ParamGroup,
  type Params,
} from "./optimizer.ts";
export { SGD, type SGDOptions } from "./sgd.ts";
export { Adam, type AdamOptions, AdamW } from "./adam.ts";
export {
  type PlateauOptions,
  ReduceLROnPlateau,
  StepLR,
} from "./lr_scheduler.ts";
