import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";
import { models, nn, optim } from "../../../lib/mod.ts";

const COURSE_SHAPES = [
  ["Conv2d", [1, 96, 54, 54]],
  ["ReLU", [1, 96, 54, 54]],
  ["MaxPool2d", [1, 96, 26, 26]],
  ["Conv2d", [1, 256, 26, 26]],
  ["ReLU", [1, 256, 26, 26]],
  ["MaxPool2d", [1, 256, 12, 12]],
  ["Conv2d", [1, 384, 12, 12]],
  ["ReLU", [1, 384, 12, 12]],
  ["Conv2d", [1, 384, 12, 12]],
  ["ReLU", [1, 384, 12, 12]],
  ["Conv2d", [1, 256, 12, 12]],
  ["ReLU", [1, 256, 12, 12]],
  ["MaxPool2d", [1, 256, 5, 5]],
  ["Flatten", [1, 6400]],
  ["Linear", [1, 4096]],
  ["ReLU", [1, 4096]],
  ["Dropout", [1, 4096]],
  ["Linear", [1, 4096]],
  ["ReLU", [1, 4096]],
  ["Dropout", [1, 4096]],
  ["Linear", [1, 10]],
];

Deno.test("summary() of the course AlexNet matches the course's shapes row by row", () => {
  const net = models.alexnet();
  const table = lib.summary(net, [1, 1, 224, 224]);
  assert.deepEqual(
    table.rows.map((r) => [r.name, r.outputShape]),
    COURSE_SHAPES,
  );
  assert.equal(table.totalParams, 46_764_746);
  assert.equal(net.numParameters(), 46_764_746);
  const text = String(table).split("\n");
  assert.match(text[0], /^Conv2d output shape: +\[1, 96, 54, 54\]$/);
  assert.match(text[13], /^Flatten output shape: +\[1, 6400\]$/);
  assert.match(
    table[lib.DISPLAY]()["text/html"],
    /<td>Linear<\/td><td>\[1, 10\]<\/td>/,
  );
  assert.ok(net.training, "summary restores training mode");
});

Deno.test("the paper's AlexNet takes 3x224x224, has 55x55 first maps and 60,965,224 parameters", () => {
  const net = models.alexnetPaper();
  assert.equal(net.numParameters(), 60_965_224);
  const table = lib.summary(net, [1, 3, 224, 224]);
  assert.deepEqual(table.rows[0].outputShape, [1, 96, 55, 55]);
  assert.deepEqual(table.rows.find((r) => r.name === "Flatten")!.outputShape, [
    1,
    9216,
  ]);
  assert.deepEqual(table.rows.at(-1)!.outputShape, [1, 1000]);
  models.initPaper(net);
});

Deno.test("LeNet has the course's 61,706 parameters", () => {
  assert.equal(models.lenet().numParameters(), 61_706);
  assert.deepEqual(
    lib.summary(models.lenet(), [1, 1, 28, 28]).rows.at(-1)!.outputShape,
    [1, 10],
  );
});

Deno.test("summary() names the failing layer for a wrong input size", () => {
  assert.throws(
    () => lib.summary(models.alexnet(), [1, 1, 100, 100]),
    /Layer 14 \(Linear\) failed on input of shape \[1, 1024\]/,
  );
  assert.throws(
    () => lib.summary(models.alexnet(), [1, 3, 224, 224]),
    /Layer 0 \(Conv2d\).*3 channels/,
  );
});

Deno.test("a small CNN learns a synthetic task: loss falls 5x and one batch is overfit to 100%", async () => {
  lib.manualSeed(7);
  // Class = which quadrant of a 12x12 image holds a bright square.
  const batch = 16;
  const pixels = new Float32Array(batch * 144);
  const labels: number[] = [];
  for (let n = 0; n < batch; n++) {
    const c = n % 4;
    labels.push(c);
    const [y0, x0] = [(c >> 1) * 6 + 1, (c & 1) * 6 + 1];
    for (let y = y0; y < y0 + 4; y++) {
      for (let x = x0; x < x0 + 4; x++) pixels[n * 144 + y * 12 + x] = 1;
    }
  }
  const x = lib.tensor(pixels, { shape: [batch, 1, 12, 12] });
  const net = new nn.Sequential(
    new nn.Conv2d(1, 8, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Flatten(),
    new nn.Dropout(0.1),
    new nn.Linear(8 * 5 * 5, 4),
  );
  const opt = new optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
  const losses: number[] = [];
  for (let step = 0; step < 40; step++) {
    const loss = lib.tidy(() => {
      const l = lib.crossEntropy(net.forward(x), labels);
      opt.zeroGrad();
      l.backward();
      opt.step();
      return l;
    });
    losses.push(await loss.item());
    loss.dispose();
  }
  assert.ok(
    losses.at(-1)! < losses[0] / 5,
    `loss ${losses[0]} -> ${losses.at(-1)}`,
  );
  net.eval();
  const predicted = await lib.noGrad(() => net.forward(x).argmax(1)).data();
  assert.deepEqual(Array.from(predicted), labels);
});
