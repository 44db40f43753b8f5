/**
 * Dropdown (@jupyter-widgets/controls 2.0). The frontend only knows the
 * labels (`_options_labels`) and the selected `index`; the values behind
 * the labels stay in the kernel, as in ipywidgets.
 *
 * @module
 */
import { controls } from "./model_spec.ts";
import { type Change, type Observer, Widget } from "./widget.ts";
import {
  type DescriptionOptions,
  DescriptionStyle,
  descriptionTraits,
} from "./layout.ts";
import { bool, nullableInt, strList } from "./traits.ts";

/** Options of {@link Dropdown}: labels, or [label, value] pairs. */
export interface DropdownOptions<T> extends DescriptionOptions {
  options: readonly (string | readonly [string, T])[];
  /** The selected value (default the first option). */
  value?: T;
  disabled?: boolean;
  style?: DescriptionStyle;
}

/**
 * A drop-down list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Dropdown } from "./mod.ts";
 * const opt = new Dropdown({ options: [["SGD", "sgd"], ["Adam", "adam"]] });
 * assert.equal(opt.value, "sgd");
 * opt.value = "adam";
 * assert.equal(opt.label, "Adam");
 * assert.throws(() => { opt.value = "lbfgs"; }, /not one of the options/);
 * ```
 */
export class Dropdown<T = string> extends Widget {
  #values: T[];
  declare index: number | null;
  declare description: string;
  declare disabled: boolean;

  constructor(options: DropdownOptions<T>) {
    const pairs = Dropdown.#pairs<T>(options.options);
    const { options: _, value, ...rest } = options;
    const index = value === undefined
      ? (pairs.length ? 0 : null)
      : pairs.findIndex(([, v]) => Object.is(v, value));
    if (index === -1) {
      throw new RangeError(
        `Dropdown: the value ${
          JSON.stringify(value)
        } is not one of the options`,
      );
    }
    super(
      controls("Dropdown"),
      {
        ...descriptionTraits(DescriptionStyle),
        _options_labels: strList(),
        disabled: bool(),
        index: nullableInt(null),
      },
      { ...rest, index },
    );
    this.#values = pairs.map(([, v]) => v);
    this.set("_options_labels", pairs.map(([label]) => label));
  }

  static #pairs<T>(options: DropdownOptions<T>["options"]): [string, T][] {
    if (!Array.isArray(options)) {
      throw new TypeError(
        "Dropdown.options must be a list of labels or [label, value] pairs",
      );
    }
    return options.map((o) => {
      if (typeof o === "string") return [o, o as T];
      if (Array.isArray(o) && o.length === 2 && typeof o[0] === "string") {
        return [o[0], o[1]];
      }
      throw new TypeError(
        `Dropdown option ${
          JSON.stringify(o)
        } must be a label or a [label, value] pair`,
      );
    });
  }

  protected override normalize(state: Record<string, unknown>) {
    const labels = state._options_labels as string[];
    const index = state.index as number | null;
    // The labels arrive just after the constructor's first check.
    if (
      index !== null && labels.length && !(index >= 0 && index < labels.length)
    ) {
      throw new RangeError(
        `Dropdown.index must be within [0, ${
          labels.length - 1
        }] or null, got ${index}`,
      );
    }
  }

  /** The labels shown. */
  get options(): string[] {
    return this.wireState()._options_labels as string[];
  }

  /** Replaces the options; the selection goes back to the first. */
  set options(options: DropdownOptions<T>["options"]) {
    const pairs = Dropdown.#pairs<T>(options);
    this.#values = pairs.map(([, v]) => v);
    this.index = null;
    this.set("_options_labels", pairs.map(([label]) => label));
    this.index = pairs.length ? 0 : null;
  }

  /** The selected value (undefined when nothing is selected). */
  get value(): T | undefined {
    return this.index === null ? undefined : this.#values[this.index];
  }

  set value(value: T) {
    const index = this.#values.findIndex((v) => Object.is(v, value));
    if (index === -1) {
      throw new RangeError(
        `Dropdown: ${JSON.stringify(value)} is not one of the options (${
          this.options.join(", ")
        })`,
      );
    }
    this.index = index;
  }

  /** The selected label. */
  get label(): string | undefined {
    return this.index === null ? undefined : this.options[this.index];
  }

  /** As Widget's, and "value" or "label" observe the selection by value or label. */
  override observe<U = unknown>(name: string, fn: Observer<U>): () => void {
    if (name !== "value" && name !== "label") return super.observe(name, fn);
    const pick = (i: unknown) =>
      i === null
        ? undefined
        : name === "value"
        ? this.#values[i as number]
        : this.options[i as number];
    return super.observe(
      "index",
      (change: Change) =>
        fn({
          ...change,
          name,
          old: pick(change.old) as U,
          new: pick(change.new) as U,
        }),
    );
  }

  override textForm(): string {
    const d = this.description ? `${JSON.stringify(this.description)}, ` : "";
    return `Dropdown(${d}value=${JSON.stringify(this.label ?? null)})`;
  }
}
