/**
 * Jupyter widgets (ipywidgets 8's protocol 2.1, @jupyter-widgets/controls
 * 2.0): sliders, progress bars, buttons, text, images, outputs and boxes
 * whose state the kernel and the frontend share. Inside the kernel each
 * widget opens a comm (through {@link kernelComms}); elsewhere, and in a
 * frontend without widgets, a widget shows its text form.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { widgets } from "../mod.ts";
 * const slider = new widgets.IntSlider({ value: 3, min: 0, max: 10 });
 * slider.value = 5;
 * assert.equal(String(slider), "IntSlider(value=5)");
 * ```
 *
 * @module
 */
export {
  type Change,
  type CustomHandler,
  type Observer,
  Widget,
} from "./widget.ts";
export { controls, type ModelSpec, WIDGET_VIEW_MIME } from "./model_spec.ts";
export { CONTROL_TARGET, PROTOCOL_VERSION, WIDGET_TARGET } from "./manager.ts";
export {
  ButtonStyle,
  CheckboxStyle,
  type DescriptionOptions,
  DescriptionStyle,
  type DomOptions,
  HTMLStyle,
  LabelStyle,
  Layout,
  type LayoutOptions,
  ProgressStyle,
  SliderStyle,
  Style,
  type StyleOptions,
  TextStyle,
  ToggleButtonStyle,
} from "./layout.ts";
export {
  FloatLogSlider,
  FloatSlider,
  IntSlider,
  type LogSliderOptions,
  type SliderBehavior,
  type SliderOptions,
} from "./sliders.ts";
export {
  type BarStyle,
  FloatProgress,
  IntProgress,
  type ProgressOptions,
} from "./progress.ts";
export {
  Button,
  type ButtonOptions,
  type ButtonStyleName,
  Checkbox,
  type CheckboxOptions,
  ToggleButton,
  type ToggleButtonOptions,
} from "./buttons.ts";
export { Dropdown, type DropdownOptions } from "./selection.ts";
export {
  HTML,
  Label,
  Text,
  type TextInputOptions,
  type TextOptions,
} from "./text.ts";
export { Box, type BoxOptions, HBox, VBox } from "./boxes.ts";
export { bundleOf, Output, type OutputItem } from "./output.ts";
export { Image, type ImageOptions } from "./image.ts";
export {
  type Control,
  interact,
  type Interactive,
  type ValuesOf,
} from "./interact.ts";
