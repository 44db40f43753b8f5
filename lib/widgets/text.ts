/**
 * Text widgets: Text (an input), Label and HTML (read-only)
 * (@jupyter-widgets/controls 2.0).
 *
 * @module
 */
import { controls } from "./model_spec.ts";
import { Widget } from "./widget.ts";
import {
  type DescriptionOptions,
  descriptionTraits,
  HTMLStyle,
  LabelStyle,
  TextStyle,
} from "./layout.ts";
import { bool, str } from "./traits.ts";

// ipywidgets' default placeholder: a zero-width space keeps an empty
// widget one line high.
const PLACEHOLDER = "\u200b";

/** Options of Text, Label and HTML. */
export interface TextOptions extends DescriptionOptions {
  value?: string;
  placeholder?: string;
}

/** Options of {@link Text}. */
export interface TextInputOptions extends TextOptions {
  disabled?: boolean;
  /** Send the value on each keystroke (default true) rather than on Enter. */
  continuousUpdate?: boolean;
  style?: TextStyle;
}

/**
 * A one-line text input.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Text } from "./mod.ts";
 * const name = new Text({ value: "run-1", description: "name" });
 * name.value = "run-2";
 * assert.equal(name.value, "run-2");
 * ```
 */
export class Text extends Widget {
  constructor(options: TextInputOptions = {}) {
    super(
      controls("Text"),
      {
        ...descriptionTraits(TextStyle),
        continuous_update: bool(true),
        disabled: bool(),
        placeholder: str(PLACEHOLDER),
        value: str(),
      },
      options,
    );
  }
}
export interface Text {
  value: string;
  description: string;
  placeholder: string;
  disabled: boolean;
  continuousUpdate: boolean;
  style: TextStyle;
}

/**
 * A line of plain text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Label } from "./mod.ts";
 * assert.equal(new Label({ value: "epoch 1/3" }).textForm(), "epoch 1/3");
 * ```
 */
export class Label extends Widget {
  constructor(options: TextOptions & { style?: LabelStyle } = {}) {
    super(
      controls("Label"),
      {
        ...descriptionTraits(LabelStyle),
        placeholder: str(PLACEHOLDER),
        value: str(),
      },
      options,
    );
  }
  override textForm(): string {
    return this.value;
  }
}
export interface Label {
  value: string;
  description: string;
  placeholder: string;
  style: LabelStyle;
}

/**
 * A piece of HTML (the frontend sanitizes it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HTML } from "./mod.ts";
 * const h = new HTML({ value: "<b>loss</b> 0.31" });
 * assert.equal(h.textForm(), "loss 0.31");
 * ```
 */
export class HTML extends Widget {
  constructor(options: TextOptions & { style?: HTMLStyle } = {}) {
    super(
      controls("HTML"),
      {
        ...descriptionTraits(HTMLStyle),
        placeholder: str(PLACEHOLDER),
        value: str(),
      },
      options,
    );
  }
  override textForm(): string {
    return this.value.replace(/<[^>]*>/g, "");
  }
}
export interface HTML {
  value: string;
  description: string;
  placeholder: string;
  style: HTMLStyle;
}
