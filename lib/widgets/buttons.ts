/**
 * Buttons and boxes to tick: Button (clicks arrive as custom messages),
 * ToggleButton and Checkbox (@jupyter-widgets/controls 2.0).
 *
 * @module
 */
import { controls } from "./model_spec.ts";
import { Widget } from "./widget.ts";
import {
  ButtonStyle,
  CheckboxStyle,
  type DescriptionOptions,
  descriptionTraits,
  type DomOptions,
  domTraits,
  ToggleButtonStyle,
} from "./layout.ts";
import { bool, oneOf, str, widgetRef } from "./traits.ts";

/** A predefined colour of a button. */
export type ButtonStyleName =
  | "primary"
  | "success"
  | "info"
  | "warning"
  | "danger"
  | "";

const BUTTON_STYLES = [
  "primary",
  "success",
  "info",
  "warning",
  "danger",
  "",
] as const;

/** Options of {@link Button}. */
export interface ButtonOptions extends DomOptions {
  /** The button's label. */
  description?: string;
  disabled?: boolean;
  /** A Font Awesome icon name without `fa-` ("stop", "pause"). */
  icon?: string;
  buttonStyle?: ButtonStyleName;
  style?: ButtonStyle;
}

/**
 * A button; `onClick` handlers run when the frontend sends a click.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Button } from "./mod.ts";
 * const stop = new Button({ description: "Stop", icon: "stop" });
 * let clicks = 0;
 * stop.onClick(() => { clicks++; });
 * await stop.click();
 * assert.equal(clicks, 1);
 * ```
 */
export class Button extends Widget {
  readonly #handlers = new Set<(button: Button) => void | Promise<void>>();

  constructor(options: ButtonOptions = {}) {
    super(
      controls("Button"),
      {
        ...domTraits(),
        button_style: oneOf(BUTTON_STYLES, ""),
        description: str(),
        disabled: bool(),
        icon: str(),
        style: widgetRef(
          () => new ButtonStyle(),
          (v): v is ButtonStyle => v instanceof ButtonStyle,
          "a ButtonStyle",
        ),
      },
      options,
    );
    this.onCustom(async (content) => {
      if ((content as { event?: unknown })?.event === "click") {
        await this.click();
      }
    });
  }

  /** Calls `fn(button)` on each click; returns a function that stops it. */
  onClick(fn: (button: Button) => void | Promise<void>): () => void {
    this.#handlers.add(fn);
    return () => this.#handlers.delete(fn);
  }

  /** Runs the click handlers, as a click in the frontend does (one that throws is reported). */
  async click(): Promise<void> {
    for (const fn of [...this.#handlers]) {
      try {
        await fn(this);
      } catch (error) {
        console.error(
          `widgets: a click handler of Button "${this.description}" threw: ${
            error instanceof Error ? error.stack ?? error.message : error
          }`,
        );
      }
    }
  }

  override textForm(): string {
    return `Button(${JSON.stringify(this.description)})`;
  }
}
export interface Button {
  description: string;
  disabled: boolean;
  icon: string;
  buttonStyle: ButtonStyleName;
  style: ButtonStyle;
}

/** Options of {@link ToggleButton}. */
export interface ToggleButtonOptions extends DescriptionOptions {
  value?: boolean;
  disabled?: boolean;
  icon?: string;
  buttonStyle?: ButtonStyleName;
  style?: ToggleButtonStyle;
}

/**
 * A button that stays down (value true) until pressed again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ToggleButton } from "./mod.ts";
 * const flip = new ToggleButton({ description: "flip" });
 * flip.value = true;
 * assert.throws(() => { flip.value = "yes" as unknown as boolean; }, TypeError);
 * ```
 */
export class ToggleButton extends Widget {
  constructor(options: ToggleButtonOptions = {}) {
    super(
      controls("ToggleButton"),
      {
        ...descriptionTraits(ToggleButtonStyle),
        button_style: oneOf(BUTTON_STYLES, ""),
        disabled: bool(),
        icon: str(),
        value: bool(),
      },
      options,
    );
  }
}
export interface ToggleButton {
  value: boolean;
  description: string;
  disabled: boolean;
  icon: string;
  buttonStyle: ButtonStyleName;
  style: ToggleButtonStyle;
}

/** Options of {@link Checkbox}. */
export interface CheckboxOptions extends DescriptionOptions {
  value?: boolean;
  disabled?: boolean;
  /** Indent to line up with described controls (default true). */
  indent?: boolean;
  style?: CheckboxStyle;
}

/**
 * A checkbox.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Checkbox } from "./mod.ts";
 * const box = new Checkbox({ value: true, description: "flip" });
 * assert.equal(box.textForm(), 'Checkbox("flip", value=true)');
 * ```
 */
export class Checkbox extends Widget {
  constructor(options: CheckboxOptions = {}) {
    super(
      controls("Checkbox"),
      {
        ...descriptionTraits(CheckboxStyle),
        disabled: bool(),
        indent: bool(true),
        value: bool(),
      },
      options,
    );
  }
}
export interface Checkbox {
  value: boolean;
  description: string;
  disabled: boolean;
  indent: boolean;
  style: CheckboxStyle;
}
