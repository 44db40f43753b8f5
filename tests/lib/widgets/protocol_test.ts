import assert from "node:assert/strict";
import { widgets } from "../../../lib/mod.ts";
import { withFakeComms } from "./_fake_comms.ts";

const {
  Button,
  CONTROL_TARGET,
  Dropdown,
  FloatSlider,
  Image,
  IntSlider,
  PROTOCOL_VERSION,
  VBox,
  WIDGET_VIEW_MIME,
} = widgets;

Deno.test("a widget opens a jupyter.widget comm with its state, buffer_paths and protocol 2.1.0; layout and style open first", async () => {
  await withFakeComms((comms) => {
    const slider = new IntSlider({ value: 3, min: 0, max: 10 });
    const opens = comms.sent.filter((s) => s.kind === "open");
    assert.equal(opens.length, 3);
    assert.ok(opens.every((o) => o.targetName === "jupyter.widget"));
    assert.ok(opens.every((o) => o.metadata.version === "2.1.0"));
    assert.equal(PROTOCOL_VERSION, "2.1.0");
    const [layout, style, own] = opens;
    assert.equal(own.commId, slider.modelId);
    const state = own.data.state as Record<string, unknown>;
    assert.deepEqual(own.data.buffer_paths, []);
    assert.equal(state._model_name, "IntSliderModel");
    assert.equal(state.value, 3);
    assert.equal(state.layout, `IPY_MODEL_${layout.commId}`);
    assert.equal(state.style, `IPY_MODEL_${style.commId}`);
    assert.equal(
      (layout.data.state as Record<string, unknown>)._model_name,
      "LayoutModel",
    );
    assert.equal(
      (style.data.state as Record<string, unknown>)._model_name,
      "SliderStyleModel",
    );
  });
});

Deno.test("setting a value in a cell sends one update with only that key; an unchanged value sends nothing", async () => {
  await withFakeComms((comms) => {
    const slider = new IntSlider({ value: 3, max: 10 });
    comms.clear();
    slider.value = 5;
    slider.value = 5;
    assert.deepEqual(comms.to(slider.modelId).map((s) => s.data), [
      { method: "update", state: { value: 5 }, buffer_paths: [] },
    ]);
  });
});

Deno.test("a frontend update is echoed (echo_update), read on the next access and observed", async () => {
  await withFakeComms(async (comms, errors) => {
    const slider = new FloatSlider({ value: 0.5, min: 0, max: 1 });
    const seen: unknown[] = [];
    slider.observe("value", (c) => {
      seen.push([c.old, c.new]);
    });
    comms.clear();
    await comms.frontendSend(slider.modelId, {
      method: "update",
      state: { value: 0.75 },
      buffer_paths: [],
    });
    assert.equal(slider.value, 0.75);
    assert.deepEqual(seen, [[0.5, 0.75]]);
    assert.deepEqual(comms.to(slider.modelId).map((s) => s.data), [
      { method: "echo_update", state: { value: 0.75 }, buffer_paths: [] },
    ]);
    assert.deepEqual(errors, []);
  });
});

Deno.test("a bad value from the frontend is reported, the kernel keeps its value and sets the frontend back", async () => {
  await withFakeComms(async (comms, errors) => {
    const slider = new IntSlider({ value: 3, max: 10 });
    comms.clear();
    await comms.frontendSend(slider.modelId, {
      method: "update",
      state: { value: "lots" },
      buffer_paths: [],
    });
    assert.equal(slider.value, 3);
    assert.match(
      errors.join("\n"),
      /IntSlider\.value must be a finite integer, got "lots"/,
    );
    // The key is echoed with the kernel's value (the sender's pending change
    // of it ends), then the update sets the frontend back.
    assert.deepEqual(comms.to(slider.modelId).map((s) => s.data), [
      { method: "echo_update", state: { value: 3 }, buffer_paths: [] },
      { method: "update", state: { value: 3 }, buffer_paths: [] },
    ]);
    // Out of range is a problem of the pair of keys: also kept and reported.
    await comms.frontendSend(slider.modelId, {
      method: "update",
      state: { value: 11 },
      buffer_paths: [],
    });
    assert.equal(slider.value, 3);
    assert.match(errors.at(-1)!, /within \[0, 10\], got 11/);
  });
});

Deno.test("malformed messages are reported, never thrown: no state, unknown keys, fixed keys, bad buffer paths, unknown methods", async () => {
  await withFakeComms(async (comms, errors) => {
    const slider = new IntSlider({ value: 3, max: 10 });
    const id = slider.modelId;
    await comms.frontendSend(id, { method: "update", state: 7 });
    await comms.frontendSend(id, {
      method: "update",
      state: { colour: "red" },
    });
    await comms.frontendSend(id, {
      method: "update",
      state: { _model_name: "ButtonModel" },
    });
    await comms.frontendSend(id, {
      method: "update",
      state: { value: 4 },
      buffer_paths: [["a", "b"]],
    }, [new Uint8Array(1)]);
    await comms.frontendSend(id, {
      method: "update",
      state: {},
      buffer_paths: [["x"]],
    });
    await comms.frontendSend(id, { method: "explode" });
    assert.equal(slider.value, 3);
    assert.equal(slider.wireState()._model_name, "IntSliderModel");
    const text = errors.join("\n");
    assert.match(text, /without a state object/);
    assert.match(text, /may not set "colour"/);
    assert.match(text, /may not set "_model_name"/);
    assert.match(text, /does not lead into the state/);
    assert.match(text, /names 1 buffers but the message has 0/);
    assert.match(text, /method "explode"/);
  });
});

Deno.test("request_state gets the full state in one update", async () => {
  await withFakeComms(async (comms) => {
    const slider = new IntSlider({ value: 2 });
    comms.clear();
    await comms.frontendSend(slider.modelId, { method: "request_state" });
    const [reply] = comms.to(slider.modelId);
    assert.equal(reply.data.method, "update");
    assert.deepEqual(reply.data.state, slider.wireState());
  });
});

Deno.test("the control comm answers request_states with every widget's state; buffer paths start with the model id", async () => {
  await withFakeComms(async (comms) => {
    const png = new Uint8Array([137, 80, 78, 71]);
    const image = new Image({ value: png });
    const slider = new IntSlider({ value: 1 });
    const control = await comms.frontendOpen(CONTROL_TARGET);
    comms.clear();
    await comms.frontendSend(control.id, { method: "request_states" });
    const [reply] = comms.to(control.id);
    assert.equal(reply.data.method, "update_states");
    const states = reply.data.states as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(states).includes(image.modelId), true);
    assert.equal(states[slider.modelId].model_name, "IntSliderModel");
    assert.equal(
      states[slider.modelId].model_module,
      "@jupyter-widgets/controls",
    );
    assert.equal(states[slider.modelId].model_module_version, "2.0.0");
    assert.equal(
      (states[slider.modelId].state as Record<string, unknown>).value,
      1,
    );
    const paths = reply.data.buffer_paths as unknown[][];
    const at = paths.findIndex((p) => p[0] === image.modelId);
    assert.deepEqual(paths[at], [image.modelId, "state", "value"]);
    assert.deepEqual(reply.buffers[at], png);
    assert.equal("value" in (states[image.modelId].state as object), false);
  });
});

Deno.test("an Image sends its PNG bytes as a buffer, in the open and in updates", async () => {
  await withFakeComms((comms) => {
    const image = new Image({ value: new Uint8Array([1, 2, 3]) });
    const [open] = comms.to(image.modelId, "open");
    assert.deepEqual(open.data.buffer_paths, [["value"]]);
    assert.deepEqual(open.buffers, [new Uint8Array([1, 2, 3])]);
    assert.equal("value" in (open.data.state as object), false);
    image.value = new Uint8Array([4]);
    const [update] = comms.to(image.modelId, "msg");
    assert.deepEqual(update.data, {
      method: "update",
      state: {},
      buffer_paths: [["value"]],
    });
    assert.deepEqual(update.buffers, [new Uint8Array([4])]);
  });
});

Deno.test("a click (custom message) runs onClick; a handler that throws is reported and the next still runs", async () => {
  await withFakeComms(async (comms, errors) => {
    const button = new Button({ description: "Stop" });
    const clicks: string[] = [];
    button.onClick(() => {
      throw new Error("boom");
    });
    button.onClick((b) => {
      clicks.push(b.description);
    });
    await comms.frontendSend(button.modelId, {
      method: "custom",
      content: { event: "click" },
    });
    assert.deepEqual(clicks, ["Stop"]);
    assert.match(
      errors.join("\n"),
      /click handler of Button "Stop" threw: Error: boom/,
    );
    comms.clear();
    button.send({ hello: 1 }, [new Uint8Array([9])]);
    assert.deepEqual(comms.sent[0].data, {
      method: "custom",
      content: { hello: 1 },
    });
    assert.deepEqual(comms.sent[0].buffers, [new Uint8Array([9])]);
  });
});

Deno.test("an observer that throws is reported and does not undo the change", async () => {
  await withFakeComms(async (comms, errors) => {
    const slider = new IntSlider();
    slider.observe("value", () => {
      throw new Error("bad observer");
    });
    await comms.frontendSend(slider.modelId, {
      method: "update",
      state: { value: 7 },
    });
    assert.equal(slider.value, 7);
    assert.match(
      errors.join("\n"),
      /observer of IntSlider.value threw: Error: bad observer/,
    );
  });
});

Deno.test("a box sends its children as IPY_MODEL_ references, and a frontend Dropdown change selects by index", async () => {
  await withFakeComms(async (comms) => {
    const a = new IntSlider();
    const d = new Dropdown({ options: [["one", 1], ["two", 2]] });
    const box = new VBox([a, d]);
    const [open] = comms.to(box.modelId, "open");
    assert.deepEqual((open.data.state as Record<string, unknown>).children, [
      `IPY_MODEL_${a.modelId}`,
      `IPY_MODEL_${d.modelId}`,
    ]);
    await comms.frontendSend(d.modelId, {
      method: "update",
      state: { index: 1 },
    });
    assert.equal(d.value, 2);
    assert.equal(d.label, "two");
  });
});

Deno.test("display: the widget-view MIME (version 2.0, model_id) with a text/plain fallback; outside a kernel only text", async () => {
  const DISPLAY = Symbol.for("Jupyter.display");
  const plain = new IntSlider({ value: 4 }) as unknown as Record<
    symbol,
    () => unknown
  >;
  assert.deepEqual(plain[DISPLAY](), { "text/plain": "IntSlider(value=4)" });
  await withFakeComms(() => {
    const slider = new IntSlider({ value: 4 });
    const bundle =
      (slider as unknown as Record<symbol, () => Record<string, unknown>>)
        [DISPLAY]();
    assert.deepEqual(bundle[WIDGET_VIEW_MIME], {
      version_major: 2,
      version_minor: 0,
      model_id: slider.modelId,
    });
    assert.equal(bundle["text/plain"], "IntSlider(value=4)");
  });
});

Deno.test("close() sends comm_close and drops the widget from request_states", async () => {
  await withFakeComms(async (comms) => {
    const slider = new IntSlider();
    slider.close();
    assert.equal(comms.to(slider.modelId, "close").length, 1);
    const control = await comms.frontendOpen(CONTROL_TARGET);
    await comms.frontendSend(control.id, { method: "request_states" });
    const states = comms.to(control.id)[0].data.states as Record<
      string,
      unknown
    >;
    assert.equal(slider.modelId in states, false);
    assert.equal(slider.connected, false);
  });
});
