/**
 * Layout (@jupyter-widgets/base 2.0: the CSS box of a view) and the style
 * models of the controls (@jupyter-widgets/controls 2.0), plus the traits
 * every DOM widget and every described control shares. A widget gets its
 * own Layout and style unless the options pass one, as in ipywidgets.
 *
 * @module
 */
import type { ModelSpec } from "./model_spec.ts";
import { Widget } from "./widget.ts";
import {
  bool,
  nullableBool,
  nullableStr,
  str,
  strList,
  type Trait,
  widgetRef,
} from "./traits.ts";

const LAYOUT_KEYS = [
  "align_content",
  "align_items",
  "align_self",
  "border_bottom",
  "border_left",
  "border_right",
  "border_top",
  "bottom",
  "display",
  "flex",
  "flex_flow",
  "grid_area",
  "grid_auto_columns",
  "grid_auto_flow",
  "grid_auto_rows",
  "grid_column",
  "grid_gap",
  "grid_row",
  "grid_template_areas",
  "grid_template_columns",
  "grid_template_rows",
  "height",
  "justify_content",
  "justify_items",
  "left",
  "margin",
  "max_height",
  "max_width",
  "min_height",
  "min_width",
  "object_fit",
  "object_position",
  "order",
  "overflow",
  "padding",
  "right",
  "top",
  "visibility",
  "width",
] as const;

type Camel<S extends string> = S extends `${infer A}_${infer B}`
  ? `${A}${Capitalize<Camel<B>>}`
  : S;

/** Layout's CSS properties, camelCase (`maxWidth: "600px"`); null leaves the default. */
export type LayoutOptions = {
  [K in typeof LAYOUT_KEYS[number] as Camel<K>]?: string | null;
};

/**
 * The CSS layout of a widget's view (width, margin, flex ...).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Layout } from "./mod.ts";
 * const layout = new Layout({ width: "300px" });
 * assert.equal(layout.width, "300px");
 * assert.equal(layout.wireState()._model_name, "LayoutModel");
 * ```
 */
export class Layout extends Widget {
  constructor(options: LayoutOptions = {}) {
    super(
      {
        modelName: "LayoutModel",
        modelModule: "@jupyter-widgets/base",
        modelModuleVersion: "2.0.0",
        viewName: "LayoutView",
        viewModule: "@jupyter-widgets/base",
        viewModuleVersion: "2.0.0",
      },
      Object.fromEntries(LAYOUT_KEYS.map((k) => [k, nullableStr()])),
      options,
    );
  }
}
export interface Layout extends Required<LayoutOptions> {}

function styleSpec(name: string): ModelSpec {
  return {
    modelName: `${name}Model`,
    modelModule: "@jupyter-widgets/controls",
    modelModuleVersion: "2.0.0",
    viewName: "StyleView",
    viewModule: "@jupyter-widgets/base",
    viewModuleVersion: "2.0.0",
  };
}

const FONT_KEYS = [
  "font_family",
  "font_size",
  "font_style",
  "font_variant",
  "font_weight",
  "text_color",
  "text_decoration",
];

function cssTraits(keys: string[]): Record<string, Trait> {
  return Object.fromEntries(keys.map((k) => [k, nullableStr()]));
}

/** Options of a style: CSS values, camelCase (`descriptionWidth: "120px"`). */
export type StyleOptions = Record<string, string | null | undefined>;

/** The base of the style models; each names its CSS keys. */
export class Style extends Widget {
  constructor(
    name: string,
    traits: Record<string, Trait>,
    options: StyleOptions,
  ) {
    super(styleSpec(name), traits, options);
  }
  /** A style's CSS value by camelCase name. */
  [key: string]: unknown;
}

/** The style of a control with a description: its width. */
export class DescriptionStyle extends Style {
  constructor(options: StyleOptions = {}) {
    super("DescriptionStyle", { description_width: str() }, options);
  }
}

/** A slider's style: description width and handle colour. */
export class SliderStyle extends Style {
  constructor(options: StyleOptions = {}) {
    super(
      "SliderStyle",
      { description_width: str(), handle_color: nullableStr() },
      options,
    );
  }
}

/** A progress bar's style: description width and bar colour. */
export class ProgressStyle extends Style {
  constructor(options: StyleOptions = {}) {
    super(
      "ProgressStyle",
      { bar_color: nullableStr(), description_width: str() },
      options,
    );
  }
}

/** A button's style: colour and font. */
export class ButtonStyle extends Style {
  constructor(options: StyleOptions = {}) {
    super(
      "ButtonStyle",
      cssTraits(["button_color", ...FONT_KEYS]),
      options,
    );
  }
}

/** A toggle button's style: description width and font. */
export class ToggleButtonStyle extends Style {
  constructor(options: StyleOptions = {}) {
    super(
      "ToggleButtonStyle",
      { description_width: str(), ...cssTraits(FONT_KEYS) },
      options,
    );
  }
}

/** A checkbox's style: description width and background. */
export class CheckboxStyle extends Style {
  constructor(options: StyleOptions = {}) {
    super(
      "CheckboxStyle",
      { background: nullableStr(), description_width: str() },
      options,
    );
  }
}

/** The style of Text and HTML: background, font size, colour. */
export class TextStyle extends Style {
  constructor(options: StyleOptions = {}, name = "TextStyle") {
    super(
      name,
      {
        background: nullableStr(),
        description_width: str(),
        font_size: nullableStr(),
        text_color: nullableStr(),
      },
      options,
    );
  }
}

/** HTML's style (the keys of TextStyle under its own model name). */
export class HTMLStyle extends TextStyle {
  constructor(options: StyleOptions = {}) {
    super(options, "HTMLStyle");
  }
}

/** A Label's style: background, description width and font. */
export class LabelStyle extends Style {
  constructor(options: StyleOptions = {}) {
    super(
      "LabelStyle",
      {
        background: nullableStr(),
        description_width: str(),
        ...cssTraits(FONT_KEYS),
      },
      options,
    );
  }
}

const isLayout = (v: unknown): v is Layout => v instanceof Layout;

/** Options every DOM widget takes. */
export interface DomOptions {
  /** The view's CSS layout (a new one by default). */
  layout?: Layout;
  /** CSS classes added to the view's element. */
  domClasses?: string[];
  /** Whether the view takes keyboard focus (null: the browser decides). */
  tabbable?: boolean | null;
  /** Hover text. */
  tooltip?: string | null;
}

/** The keys of @jupyter-widgets/base's DOMWidgetModel. */
export function domTraits(): Record<string, Trait> {
  return {
    _dom_classes: strList(),
    layout: widgetRef(() => new Layout(), isLayout, "a Layout"),
    tabbable: nullableBool(),
    tooltip: nullableStr(),
  };
}

/** Options of a control with a description label. */
export interface DescriptionOptions extends DomOptions {
  /** The label beside the control. */
  description?: string;
  /** Whether the description is rendered as HTML. */
  descriptionAllowHtml?: boolean;
}

/** DOMWidget's keys plus a description and a style of class `style`. */
export function descriptionTraits<S extends Style>(
  style: new () => S,
): Record<string, Trait> {
  return {
    ...domTraits(),
    description: str(),
    description_allow_html: bool(),
    style: widgetRef(
      () => new style(),
      (v): v is S => v instanceof style,
      `a ${style.name}`,
    ),
  };
}
