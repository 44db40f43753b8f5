/**
 * Training and evaluation: the course's loop with live curves and
 * checkpoints, evaluation with ten-crop averaging, and the figures.
 *
 * @module
 */
export {
  type Loader,
  train,
  TrainingInterrupted,
  type TrainOptions,
} from "./train.ts";
export { evaluate, type EvaluateOptions, type Evaluation } from "./evaluate.ts";
export {
  type EpochRow,
  type History,
  historyTable,
  type Point,
} from "./history.ts";
export {
  checkFinite,
  confusionMatrix,
  correctCount,
  labelRank,
} from "./metrics.ts";
export { confusionFigure, curvesFigure, type Figure } from "./plots.ts";
export { hashUniform, seededInit } from "./seeded_init.ts";
export { Dashboard, type TrainView } from "./dashboard.ts";
