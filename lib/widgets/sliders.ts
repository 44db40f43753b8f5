/**
 * Sliders: IntSlider, FloatSlider and FloatLogSlider
 * (@jupyter-widgets/controls 2.0). A value set outside [min, max] throws a
 * RangeError; moving min or max past the value clamps the value, as
 * ipywidgets does.
 *
 * @module
 */
import { controls } from "./model_spec.ts";
import { Widget } from "./widget.ts";
import {
  type DescriptionOptions,
  descriptionTraits,
  SliderStyle,
} from "./layout.ts";
import { bool, num, oneOf, str, type Trait } from "./traits.ts";

/** How the slider responds to the mouse. */
export type SliderBehavior = "drag-tap" | "drag-snap" | "tap" | "drag" | "snap";

/** Options of the sliders. */
export interface SliderOptions extends DescriptionOptions {
  value?: number;
  min?: number;
  max?: number;
  step?: number;
  /** Send values while dragging (default true) rather than on release. */
  continuousUpdate?: boolean;
  disabled?: boolean;
  orientation?: "horizontal" | "vertical";
  /** Show the value beside the slider (default true). */
  readout?: boolean;
  /** d3-format of the readout (`"d"`, `".2f"`, `".3g"`). */
  readoutFormat?: string;
  behavior?: SliderBehavior;
  style?: SliderStyle;
}

function sliderTraits(
  integer: boolean,
  defaults: {
    value: number;
    min: number;
    max: number;
    step: number;
    format: string;
  },
): Record<string, Trait> {
  return {
    ...descriptionTraits(SliderStyle),
    behavior: oneOf(
      ["drag-tap", "drag-snap", "tap", "drag", "snap"],
      "drag-tap",
    ),
    continuous_update: bool(true),
    disabled: bool(),
    max: num(defaults.max, integer),
    min: num(defaults.min, integer),
    orientation: oneOf(["horizontal", "vertical"], "horizontal"),
    readout: bool(true),
    readout_format: str(defaults.format),
    step: num(defaults.step, integer),
    value: num(defaults.value, integer),
  };
}

/** Checks min <= max and the value inside `[low, high]` of the candidate state. */
function checkRange(
  name: string,
  state: Record<string, unknown>,
  changed: string[],
  low: number,
  high: number,
): void {
  if ((state.min as number) > (state.max as number)) {
    throw new RangeError(
      `${name}: min (${state.min}) must not be above max (${state.max})`,
    );
  }
  if ((state.step as number) <= 0) {
    throw new RangeError(`${name}.step must be above 0, got ${state.step}`);
  }
  const value = state.value as number;
  if (value >= low && value <= high) return;
  if (changed.includes("value")) {
    throw new RangeError(
      `${name}.value must be within [${low}, ${high}], got ${value}`,
    );
  }
  state.value = Math.min(Math.max(value, low), high);
}

/** The properties sliders share. */
interface SliderProperties {
  value: number;
  min: number;
  max: number;
  step: number;
  description: string;
  continuousUpdate: boolean;
  disabled: boolean;
  readout: boolean;
  readoutFormat: string;
  orientation: "horizontal" | "vertical";
  style: SliderStyle;
}

/**
 * A slider of integers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IntSlider } from "./mod.ts";
 * const s = new IntSlider({ value: 3, min: 0, max: 10, description: "k" });
 * assert.equal(s.value, 3);
 * assert.throws(() => { s.value = 2.5; }, /an integer/);
 * s.max = 2; // the value follows the range
 * assert.equal(s.value, 2);
 * ```
 */
export class IntSlider extends Widget {
  constructor(options: SliderOptions = {}) {
    super(
      controls("IntSlider"),
      sliderTraits(true, { value: 0, min: 0, max: 100, step: 1, format: "d" }),
      options,
    );
  }
  protected override normalize(
    state: Record<string, unknown>,
    changed: string[],
  ) {
    checkRange(
      "IntSlider",
      state,
      changed,
      state.min as number,
      state.max as number,
    );
  }
}
export interface IntSlider extends SliderProperties {}

/**
 * A slider of floats.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FloatSlider } from "./mod.ts";
 * const s = new FloatSlider({ value: 0.5, min: 0, max: 1, step: 0.05 });
 * assert.throws(() => { s.value = 2; }, RangeError);
 * ```
 */
export class FloatSlider extends Widget {
  constructor(options: SliderOptions = {}) {
    super(
      controls("FloatSlider"),
      sliderTraits(false, {
        value: 0,
        min: 0,
        max: 100,
        step: 0.1,
        format: ".2f",
      }),
      options,
    );
  }
  protected override normalize(
    state: Record<string, unknown>,
    changed: string[],
  ) {
    checkRange(
      "FloatSlider",
      state,
      changed,
      state.min as number,
      state.max as number,
    );
  }
}
export interface FloatSlider extends SliderProperties {}

/** Options of {@link FloatLogSlider}: `min`, `max` and `step` are exponents of `base`. */
export interface LogSliderOptions extends SliderOptions {
  /** The base of the exponents (default 10). */
  base?: number;
}

/**
 * A slider over powers of `base` (a learning rate from 1e-4 to 1):
 * `min`, `max` and `step` are exponents, `value` is the number itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FloatLogSlider } from "./mod.ts";
 * const lr = new FloatLogSlider({ value: 0.01, min: -4, max: 0 });
 * lr.value = 0.1;
 * assert.throws(() => { lr.value = 10; }, /within \[0.0001, 1\]/);
 * ```
 */
export class FloatLogSlider extends Widget {
  constructor(options: LogSliderOptions = {}) {
    super(
      controls("FloatLogSlider"),
      {
        ...sliderTraits(false, {
          value: 1,
          min: 0,
          max: 4,
          step: 0.1,
          format: ".3g",
        }),
        base: num(10),
      },
      options,
    );
  }
  protected override normalize(
    state: Record<string, unknown>,
    changed: string[],
  ) {
    const base = state.base as number;
    if (!(base > 0) || base === 1) {
      throw new RangeError(
        `FloatLogSlider.base must be above 0 and not 1, got ${base}`,
      );
    }
    checkRange(
      "FloatLogSlider",
      state,
      changed,
      base ** (state.min as number),
      base ** (state.max as number),
    );
  }
}
export interface FloatLogSlider extends SliderProperties {
  base: number;
}
