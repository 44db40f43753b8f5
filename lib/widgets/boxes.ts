/**
 * Boxes: HBox and VBox lay children out in a row or a column
 * (@jupyter-widgets/controls 2.0). The children's comms open before the
 * box's, so the frontend resolves every reference it is sent.
 *
 * @module
 */
import { controls } from "./model_spec.ts";
import { Widget } from "./widget.ts";
import { type DomOptions, domTraits } from "./layout.ts";
import { oneOf, widgetList } from "./traits.ts";
import type { BarStyle } from "./progress.ts";

/** Options of the boxes. */
export interface BoxOptions extends DomOptions {
  /** A predefined colour of the box's border. */
  boxStyle?: BarStyle;
}

const isWidget = (v: unknown): v is Widget => v instanceof Widget;

/** The base of HBox and VBox. */
export abstract class Box extends Widget {
  declare children: Widget[];
  declare boxStyle: BarStyle;

  constructor(name: string, children: Widget[], options: BoxOptions) {
    super(
      controls(name),
      {
        ...domTraits(),
        box_style: oneOf(["success", "info", "warning", "danger", ""], ""),
        children: widgetList(isWidget),
      },
      { ...options, children },
    );
  }

  override textForm(): string {
    return this.children.map((c) => c.textForm()).join(
      this instanceof HBox ? "  " : "\n",
    );
  }
}

/**
 * Children in a row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Button, HBox } from "./mod.ts";
 * const row = new HBox([new Button({ description: "Stop" }), new Button({ description: "Pause" })]);
 * assert.equal(row.textForm(), 'Button("Stop")  Button("Pause")');
 * ```
 */
export class HBox extends Box {
  constructor(children: Widget[] = [], options: BoxOptions = {}) {
    super("HBox", children, options);
  }
}

/**
 * Children in a column.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Label, VBox } from "./mod.ts";
 * const col = new VBox([new Label({ value: "a" }), new Label({ value: "b" })]);
 * assert.equal(col.textForm(), "a\nb");
 * ```
 */
export class VBox extends Box {
  constructor(children: Widget[] = [], options: BoxOptions = {}) {
    super("VBox", children, options);
  }
}
