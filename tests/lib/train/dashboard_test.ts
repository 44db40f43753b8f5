import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";
import { nn, optim } from "../../../lib/mod.ts";
import { DataLoader, type Dataset } from "../../../lib/data/mod.ts";
import { train } from "../../../lib/train/mod.ts";
import { FakeComms } from "../widgets/_fake_comms.ts";

/** Class = the brightest quarter of a 4x4 image. */
function quarters(length: number): Dataset {
  return {
    length,
    get(i: number) {
      const label = i % 4;
      const data = new Uint8Array(16).map((_, p) => (p * 5 + i) % 30);
      data[(label >> 1) * 8 + (label & 1) * 2] = 255;
      return [{ data, channels: 1, height: 4, width: 4 }, label];
    },
  };
}

const tinyNet = () => new nn.Sequential(new nn.Flatten(), new nn.Linear(16, 4));

/** A kernel as train() sees it: display/plot globals and comms with a widget frontend. */
function fakeKernel() {
  const comms = new FakeComms();
  const uninstall = comms.install();
  const g = globalThis as Record<string, unknown>;
  const shown: unknown[] = [];
  g.display = (value: unknown) => {
    shown.push(value);
    return Promise.resolve();
  };
  g.plot = () => ({
    [Symbol.for("Jupyter.display")]: () => ({ "text/plain": "curves" }),
  });
  const restore = () => {
    uninstall();
    delete g.display;
    delete g.plot;
  };
  return { comms, shown, restore };
}

/** The comm id of the first widget opened with this model name and description. */
function widgetId(
  comms: FakeComms,
  model: string,
  description?: string,
): string {
  const open = comms.sent.find((s) => {
    const state = s.data.state as Record<string, unknown> | undefined;
    return s.kind === "open" && state?._model_name === model &&
      (description === undefined || state.description === description);
  });
  assert.ok(open, `a ${model} ${description ?? ""} was opened`);
  return open.commId;
}

/** Resolves once `test` holds, looking every 5 ms (the loop runs meanwhile). */
async function until(test: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!test()) {
    if (Date.now() - start > 60_000) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

function progressUpdates(comms: FakeComms, barId: string): number {
  return comms.to(barId, "msg").filter((s) =>
    (s.data.state as Record<string, unknown>)?.value !== undefined
  ).length;
}

Deno.test("with a widget frontend, train() shows one dashboard panel; Stop ends the run after the current batch, keeping the model and saving the checkpoint", async () => {
  lib.manualSeed(0);
  const { comms, shown, restore } = fakeKernel();
  const dir = await Deno.makeTempDir();
  const checkpoint = `${dir}/stopped.safetensors`;
  try {
    const model = tinyNet();
    const before = await model.parameters()[0].data();
    const run = train(
      model,
      new DataLoader(quarters(64), { batchSize: 4 }),
      new DataLoader(quarters(16), { batchSize: 8 }),
      { epochs: 3, lr: 0.1, checkpoint, pointsPerEpoch: 16 },
    );
    const panel = widgetId(comms, "VBoxModel");
    const bar = widgetId(comms, "FloatProgressModel");
    assert.equal(shown.length, 1, "the panel is displayed once");
    await until(() => progressUpdates(comms, bar) >= 3, "three batches");
    await comms.frontendSend(widgetId(comms, "ButtonModel", "Stop"), {
      method: "custom",
      content: { event: "click" },
    });
    const clickedAfter = progressUpdates(comms, bar);
    const history = await run;
    assert.ok(history.stopped, "the history says the run was stopped");
    assert.equal(history.stopped.epoch, 1);
    // At most the batch in flight when Stop came finishes.
    assert.ok(
      history.stopped.batch <= clickedAfter + 1,
      JSON.stringify(history.stopped),
    );
    assert.ok(
      history.stopped.batch < 16,
      "it did not run to the end of the epoch",
    );
    assert.equal(history.epochs.length, 0);
    const after = await model.parameters()[0].data();
    assert.notDeepEqual(after, before, "the model keeps its training");
    const saved = await lib.load(checkpoint);
    const state = model.stateDict();
    for (const name of Object.keys(state)) {
      assert.deepEqual(
        await saved[name].data(),
        await state[name].data(),
        name,
      );
    }
    const meta = await lib.loadMetadata(checkpoint);
    assert.match(meta.stopped, /epoch 1, batch \d+/);
    assert.ok(comms.sent.some((s) => s.commId === panel));
  } finally {
    restore();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the dashboard's learning-rate slider sets the optimizer's rate for the next step; Pause holds the loop until Resume", async () => {
  lib.manualSeed(1);
  const { comms, restore } = fakeKernel();
  try {
    const model = tinyNet();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.05 });
    const run = train(
      model,
      new DataLoader(quarters(32), { batchSize: 4 }),
      new DataLoader(quarters(8), { batchSize: 8 }),
      { epochs: 2, optimizer, pointsPerEpoch: 8 },
    );
    const bar = widgetId(comms, "FloatProgressModel");
    const slider = widgetId(comms, "FloatLogSliderModel");
    await until(() => progressUpdates(comms, bar) >= 1, "a batch");
    await comms.frontendSend(slider, {
      method: "update",
      state: { value: 0.2 },
    });
    assert.equal(optimizer.lr, 0.2);
    const pause = widgetId(comms, "ButtonModel", "Pause");
    await comms.frontendSend(pause, {
      method: "custom",
      content: { event: "click" },
    });
    await new Promise((r) => setTimeout(r, 100));
    const held = progressUpdates(comms, bar);
    await new Promise((r) => setTimeout(r, 400));
    assert.ok(
      progressUpdates(comms, bar) <= held + 1,
      "paused: at most the batch in flight ends",
    );
    await comms.frontendSend(pause, {
      method: "custom",
      content: { event: "click" },
    });
    const history = await run;
    assert.equal(history.stopped, undefined);
    assert.equal(history.epochs.length, 2);
    assert.equal(history.epochs[1].learningRate, 0.2);
  } finally {
    restore();
  }
});

Deno.test("without a widget frontend train() keeps today's outputs (no widgets are made)", async () => {
  lib.manualSeed(2);
  const { comms, shown, restore } = fakeKernel();
  comms.frontendHasWidgets = false;
  try {
    await train(
      tinyNet(),
      new DataLoader(quarters(16), { batchSize: 8 }),
      new DataLoader(quarters(8), { batchSize: 8 }),
      { epochs: 1, lr: 0.1 },
    );
    assert.equal(comms.sent.length, 0);
    assert.ok(shown.length >= 2, "progress and curves displays, as before");
  } finally {
    restore();
  }
});
