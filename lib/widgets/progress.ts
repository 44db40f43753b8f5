/**
 * Progress bars: IntProgress and FloatProgress (@jupyter-widgets/controls 2.0).
 *
 * @module
 */
import { controls } from "./model_spec.ts";
import { Widget } from "./widget.ts";
import {
  type DescriptionOptions,
  descriptionTraits,
  ProgressStyle,
} from "./layout.ts";
import { num, oneOf, type Trait } from "./traits.ts";

/** A predefined colour of a bar or box. */
export type BarStyle = "success" | "info" | "warning" | "danger" | "";

/** Options of the progress bars. */
export interface ProgressOptions extends DescriptionOptions {
  value?: number;
  min?: number;
  max?: number;
  barStyle?: BarStyle;
  orientation?: "horizontal" | "vertical";
  style?: ProgressStyle;
}

function progressTraits(integer: boolean): Record<string, Trait> {
  return {
    ...descriptionTraits(ProgressStyle),
    bar_style: oneOf(["success", "info", "warning", "danger", ""], ""),
    max: num(100, integer),
    min: num(0, integer),
    orientation: oneOf(["horizontal", "vertical"], "horizontal"),
    value: num(0, integer),
  };
}

function checkProgress(
  name: string,
  state: Record<string, unknown>,
  changed: string[],
) {
  const [min, max, value] = [state.min, state.max, state.value] as number[];
  if (min > max) {
    throw new RangeError(
      `${name}: min (${min}) must not be above max (${max})`,
    );
  }
  if (value >= min && value <= max) return;
  if (changed.includes("value")) {
    throw new RangeError(
      `${name}.value must be within [${min}, ${max}], got ${value}`,
    );
  }
  state.value = Math.min(Math.max(value, min), max);
}

interface ProgressProperties {
  value: number;
  min: number;
  max: number;
  description: string;
  barStyle: BarStyle;
  style: ProgressStyle;
}

/**
 * A progress bar counting whole steps.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IntProgress } from "./mod.ts";
 * const bar = new IntProgress({ max: 4 });
 * bar.value = 4;
 * assert.throws(() => { bar.value = 5; }, RangeError);
 * ```
 */
export class IntProgress extends Widget {
  constructor(options: ProgressOptions = {}) {
    super(
      controls("IntProgress", "ProgressView"),
      progressTraits(true),
      options,
    );
  }
  protected override normalize(
    state: Record<string, unknown>,
    changed: string[],
  ) {
    checkProgress("IntProgress", state, changed);
  }
}
export interface IntProgress extends ProgressProperties {}

/**
 * A progress bar over a float range (fractions of epochs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FloatProgress } from "./mod.ts";
 * const bar = new FloatProgress({ max: 1, value: 0.25 });
 * assert.equal(bar.textForm(), "FloatProgress(value=0.25)");
 * ```
 */
export class FloatProgress extends Widget {
  constructor(options: ProgressOptions = {}) {
    super(
      controls("FloatProgress", "ProgressView"),
      progressTraits(false),
      options,
    );
  }
  protected override normalize(
    state: Record<string, unknown>,
    changed: string[],
  ) {
    checkProgress("FloatProgress", state, changed);
  }
}
export interface FloatProgress extends ProgressProperties {}
