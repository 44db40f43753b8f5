import assert from "node:assert/strict";
import { widgets } from "../../../lib/mod.ts";
import { withFakeComms } from "./_fake_comms.ts";

Deno.test("bad values from a cell throw errors that name the widget, the key and what it takes", () => {
  const s = new widgets.IntSlider({ min: 0, max: 10 });
  assert.throws(() => {
    s.value = 11;
  }, /IntSlider\.value must be within \[0, 10\], got 11/);
  assert.throws(() => {
    s.min = 20;
  }, /min \(20\) must not be above max \(10\)/);
  assert.throws(
    () => new widgets.IntSlider({ value: 1.5 }),
    /IntSlider\.value must be an integer, got 1.5/,
  );
  assert.throws(
    () => new widgets.FloatSlider({ step: 0 }),
    /step must be above 0/,
  );
  assert.throws(
    () => new widgets.IntSlider({ colour: "red" } as never),
    /IntSlider has no option "colour"; it takes .*value/,
  );
  assert.throws(
    () => new widgets.Button({ buttonStyle: "pink" as never }),
    /Button\.buttonStyle must be one of "primary", "success"/,
  );
  assert.throws(
    () => new widgets.Dropdown({ options: ["a", "b"], value: "c" }),
    /"c" is not one of the options/,
  );
  assert.throws(
    () => new widgets.VBox([{} as never]),
    /VBox\.children must be a list of widgets/,
  );
  assert.throws(() => s.observe("colour", () => {}), /no property "colour"/);
  // The failed sets left the slider as it was.
  assert.equal(s.value, 0);
  assert.equal(s.min, 0);
});

Deno.test("moving min or max past the value clamps the value; the log slider's range is base**min..base**max", () => {
  const s = new widgets.FloatSlider({ value: 5, min: 0, max: 10 });
  s.min = 7;
  assert.equal(s.value, 7);
  const lr = new widgets.FloatLogSlider({ value: 0.01, min: -4, max: -1 });
  assert.equal(lr.value, 0.01);
  lr.max = -3;
  assert.equal(lr.value, 0.001);
});

Deno.test("options and properties use camelCase, the state snake_case", () => {
  const s = new widgets.IntSlider({
    continuousUpdate: false,
    readoutFormat: "03d",
  });
  assert.equal(s.continuousUpdate, false);
  assert.equal(s.wireState().continuous_update, false);
  assert.equal(s.wireState().readout_format, "03d");
  const b = new widgets.Button({ domClasses: ["stop"] });
  assert.deepEqual(b.wireState()._dom_classes, ["stop"]);
});

Deno.test("Dropdown: observe('value') sees values, replacing the options selects the first", () => {
  const d = new widgets.Dropdown({
    options: [["SGD", "sgd"], ["Adam", "adam"]],
  });
  const seen: unknown[] = [];
  d.observe("value", (c) => {
    seen.push(c.new);
  });
  d.value = "adam";
  assert.deepEqual(seen, ["adam"]);
  d.options = ["x", "y"];
  assert.equal(d.value, "x");
  assert.deepEqual(d.wireState()._options_labels, ["x", "y"]);
});

Deno.test("Output.capture sets msg_id to the running request and restores it; append/show edit outputs directly", async () => {
  await withFakeComms(async (comms) => {
    const out = new widgets.Output();
    comms.currentMessageId = "request-7";
    comms.clear();
    const result = await out.capture(() => {
      assert.equal(out.msgId, "request-7");
      return 42;
    });
    assert.equal(result, 42);
    assert.equal(out.msgId, "");
    assert.deepEqual(comms.to(out.modelId).map((s) => s.data.state), [
      { msg_id: "request-7" },
      { msg_id: "" },
    ]);
    await out.show({
      [Symbol.for("Jupyter.display")]: () => ({ "text/html": "<b>x</b>" }),
    });
    assert.deepEqual(out.outputs, [{
      output_type: "display_data",
      data: { "text/html": "<b>x</b>" },
      metadata: {},
    }]);
    await assert.rejects(out.capture(() => {
      throw new Error("inside");
    }));
    assert.equal(out.msgId, "", "msg_id is restored after a throw");
  });
});

Deno.test("interact runs fn at once and again when the frontend moves a control; an error shows in the output", async () => {
  await withFakeComms(async (comms) => {
    const calls: number[] = [];
    const n = new widgets.IntSlider({ value: 2, max: 10 });
    const panel = widgets.interact(({ n }) => {
      calls.push(n);
      if (n === 7) throw new Error("seven");
      return `n=${n}`;
    }, { n });
    await panel.update();
    assert.equal(panel.output.textForm(), "n=2");
    assert.deepEqual(panel.children, [n, panel.output]);
    await comms.frontendSend(n.modelId, {
      method: "update",
      state: { value: 5 },
    });
    await panel.update();
    assert.equal(panel.output.textForm(), "n=5");
    await comms.frontendSend(n.modelId, {
      method: "update",
      state: { value: 7 },
    });
    await panel.update();
    assert.equal(panel.output.textForm(), "Error: seven");
    assert.ok(calls.includes(5) && calls.includes(7));
  });
});

Deno.test("interact coalesces changes that arrive while fn runs into one more run", async () => {
  let release!: () => void;
  let runs = 0;
  const s = new widgets.IntSlider();
  const panel = widgets.interact(async () => {
    runs++;
    if (runs === 1) await new Promise<void>((r) => release = r);
  }, { s });
  s.value = 1;
  s.value = 2;
  s.value = 3;
  release();
  await panel.update();
  assert.equal(runs, 2);
});
