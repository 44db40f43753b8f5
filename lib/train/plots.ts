/**
 * The training figures as plotly figures: loss and accuracy curves per
 * epoch, and a confusion-matrix heat map.
 *
 * @module
 */
import type { History } from "./history.ts";

/** A plotly figure: traces, layout, config, as plotly.js takes them. */
export interface Figure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** Train loss, train accuracy and test accuracy against epochs (fractional for mid-epoch points). */
export function curvesFigure(history: History, title = "Training"): Figure {
  const line = (name: string, x: number[], y: number[], dash?: string) => ({
    type: "scatter",
    mode: "lines+markers",
    name,
    x,
    y,
    line: dash ? { dash } : {},
  });
  return {
    data: [
      line(
        "train loss",
        history.points.map((p) => p.epoch),
        history.points.map((p) => p.trainLoss),
      ),
      line(
        "train acc",
        history.points.map((p) => p.epoch),
        history.points.map((p) => p.trainAccuracy),
        "dash",
      ),
      line(
        "test acc",
        history.epochs.map((e) => e.epoch),
        history.epochs.map((e) => e.testAccuracy),
        "dot",
      ),
    ],
    layout: {
      title: { text: title },
      xaxis: {
        title: { text: "epoch" },
        range: [0, Math.max(1, history.plannedEpochs)],
      },
      yaxis: { title: { text: "loss / accuracy" }, rangemode: "tozero" },
      height: 360,
      margin: { t: 40, r: 10, b: 40, l: 50 },
    },
  };
}

/** A heat map of a confusion matrix with class names. */
export function confusionFigure(
  matrix: number[][],
  classes: readonly string[],
  title = "Confusion matrix",
): Figure {
  return {
    data: [{
      type: "heatmap",
      z: matrix,
      x: classes,
      y: classes,
      colorscale: "Blues",
      text: matrix.map((row) => row.map(String)),
      texttemplate: "%{text}",
      hovertemplate:
        "true %{y}<br>predicted %{x}<br>%{z} images<extra></extra>",
    }],
    layout: {
      title: { text: title },
      xaxis: { title: { text: "predicted" } },
      yaxis: { title: { text: "true" }, autorange: "reversed" },
      height: 480,
    },
  };
}
