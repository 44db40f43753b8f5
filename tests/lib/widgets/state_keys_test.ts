import assert from "node:assert/strict";
import { widgets } from "../../../lib/mod.ts";

// The defaults ipywidgets 8 (Python) gives each model, made by
// ipywidgets_state.py; the frontend fills any key we left out with its
// own default, so a missing or misspelled key would go unnoticed there.
const reference = JSON.parse(
  await Deno.readTextFile(
    new URL("./fixtures/ipywidgets_8_state.json", import.meta.url),
  ),
) as Record<string, Record<string, unknown>>;

function plain(state: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) {
    out[key] = typeof value === "string" && value.startsWith("IPY_MODEL_")
      ? "IPY_MODEL_"
      : value instanceof Uint8Array
      ? "<bytes>"
      : value;
  }
  return out;
}

const made: Record<string, () => widgets.Widget> = {
  IntSlider: () => new widgets.IntSlider(),
  FloatSlider: () => new widgets.FloatSlider(),
  FloatLogSlider: () => new widgets.FloatLogSlider(),
  IntProgress: () => new widgets.IntProgress(),
  FloatProgress: () => new widgets.FloatProgress(),
  Button: () => new widgets.Button(),
  ToggleButton: () => new widgets.ToggleButton(),
  Checkbox: () => new widgets.Checkbox(),
  Dropdown: () => new widgets.Dropdown({ options: [] }),
  Text: () => new widgets.Text(),
  Label: () => new widgets.Label(),
  HTML: () => new widgets.HTML(),
  Image: () => new widgets.Image(),
  Output: () => new widgets.Output(),
  HBox: () => new widgets.HBox(),
  VBox: () => new widgets.VBox(),
  Layout: () => new widgets.Layout(),
  SliderStyle: () => new widgets.SliderStyle(),
  ProgressStyle: () => new widgets.ProgressStyle(),
  ButtonStyle: () => new widgets.ButtonStyle(),
  ToggleButtonStyle: () => new widgets.ToggleButtonStyle(),
  CheckboxStyle: () => new widgets.CheckboxStyle(),
  DescriptionStyle: () => new widgets.DescriptionStyle(),
  TextStyle: () => new widgets.TextStyle(),
  LabelStyle: () => new widgets.LabelStyle(),
  HTMLStyle: () => new widgets.HTMLStyle(),
};

for (const [name, make] of Object.entries(made)) {
  Deno.test(`${name}'s default state has ipywidgets 8's keys, model/view names, modules, versions and defaults`, () => {
    assert.ok(reference[name], `the fixture has ${name}`);
    assert.deepEqual(plain(make().wireState()), reference[name]);
  });
}

Deno.test("the fixture covers every model the library exports", () => {
  const fixtureModels = Object.keys(reference).filter((k) =>
    !k.startsWith("_")
  );
  assert.deepEqual(fixtureModels.sort(), Object.keys(made).sort());
  assert.match(String(reference._ipywidgets_version), /^8\./);
});
