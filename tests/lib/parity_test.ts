import assert from "node:assert/strict";
import * as lib from "../../lib/mod.ts";
import { nn } from "../../lib/mod.ts";
import { assertClose } from "./helpers.ts";

// Written by tools/make_parity_fixture.py with PyTorch (run by hand).
const FIXTURE =
  new URL("./fixtures/parity.safetensors", import.meta.url).pathname;

/** The fixture's network, layer for layer as the script builds it. */
function network(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 11, { stride: 4, padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Conv2d(8, 16, 5, { padding: 2, groups: 2 }),
    new nn.ReLU(),
    new nn.LocalResponseNorm(5, { alpha: 1e-2, beta: 0.75, k: 2 }),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Conv2d(16, 24, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Flatten(),
    new nn.Linear(24 * 2 * 2, 32),
    new nn.ReLU(),
    new nn.Dropout(0.5),
    new nn.Linear(32, 10),
  );
}

Deno.test("PyTorch parity: weights load from safetensors; logits, loss and every gradient match", async () => {
  const saved = await lib.load(FIXTURE);
  assert.equal(
    (await lib.loadMetadata(FIXTURE)).script,
    "tools/make_parity_fixture.py",
  );
  const model = network();
  const weights = Object.fromEntries(
    Object.entries(saved).filter(([k]) => /^\d+\.(weight|bias)$/.test(k)),
  );
  model.loadStateDict(weights);
  model.eval();
  const logits = model.forward(saved.input);
  await assertClose(logits, await saved.logits.data(), {
    atol: 1e-4,
    rtol: 1e-4,
  }, "logits");
  const loss = lib.crossEntropy(logits, saved.target);
  await assertClose(
    loss,
    await saved.loss.data(),
    { atol: 1e-5, rtol: 1e-5 },
    "loss",
  );
  loss.backward();
  for (const [name, p] of model.namedParameters()) {
    await assertClose(p.grad!, await saved[`grad.${name}`].data(), {
      atol: 1e-5,
      rtol: 1e-3,
    }, `gradient of ${name}`);
  }
});
