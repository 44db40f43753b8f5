/**
 * `interact(fn, controls)`: runs `fn` with the controls' values, and again
 * whenever one changes, with what it returns (and what it displays) shown
 * in an Output widget under the controls.
 *
 * @module
 */
import { Widget } from "./widget.ts";
import { VBox } from "./boxes.ts";
import { Output } from "./output.ts";

/** A control interact can read: any widget with a `value`. */
export type Control = Widget & { value: unknown };

/** The values of a record of controls, by the same names. */
export type ValuesOf<C extends Record<string, Control>> = {
  [K in keyof C]: C[K]["value"];
};

/** What interact returns: the panel to display, and a way to rerun. */
export interface Interactive<C extends Record<string, Control>> extends VBox {
  /** The controls, by name. */
  readonly controls: C;
  /** Where `fn`'s output goes. */
  readonly output: Output;
  /** Runs `fn` again now (a change does this on its own); resolves when done. */
  update(): Promise<void>;
}

/**
 * Shows the controls and `fn`'s output in one panel. A run that throws
 * shows its error in the output; the next change runs `fn` again. Changes
 * that arrive while `fn` runs are coalesced into one more run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IntSlider, interact } from "./mod.ts";
 * const panel = interact(({ n }) => `n squared is ${n * n}`, {
 *   n: new IntSlider({ value: 3, max: 10 }),
 * });
 * await panel.update();
 * assert.equal(panel.output.textForm(), "n squared is 9");
 * panel.controls.n.value = 4;
 * await panel.update();
 * assert.equal(panel.output.textForm(), "n squared is 16");
 * ```
 */
export function interact<C extends Record<string, Control>>(
  fn: (values: ValuesOf<C>) => unknown,
  controls: C,
): Interactive<C> {
  for (const [name, control] of Object.entries(controls)) {
    if (!(control instanceof Widget) || !("value" in control)) {
      throw new TypeError(
        `interact: the control "${name}" must be a widget with a value (a slider, a checkbox ...)`,
      );
    }
  }
  const output = new Output();
  const panel = new VBox([...Object.values(controls), output]) as Interactive<
    C
  >;
  let running: Promise<void> | undefined;
  let again = false;
  const runOnce = async () => {
    const values = Object.fromEntries(
      Object.entries(controls).map(([k, c]) => [k, c.value]),
    ) as ValuesOf<C>;
    output.clear();
    try {
      const result = await output.capture(() => fn(values));
      if (result !== undefined) await output.appendDisplay(result);
    } catch (error) {
      output.appendError(error);
    }
  };
  const update = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await runOnce();
      } while (again);
      running = undefined;
    })();
    return running;
  };
  for (const control of Object.values(controls)) {
    control.observe("value", () => {
      void update();
    });
  }
  Object.defineProperties(panel, {
    controls: { value: controls },
    output: { value: output },
    update: { value: update },
  });
  void update();
  return panel;
}
