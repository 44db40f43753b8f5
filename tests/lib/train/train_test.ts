import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";
import { nn, optim } from "../../../lib/mod.ts";
import { DataLoader, type Dataset } from "../../../lib/data/mod.ts";
import {
  evaluate,
  train,
  TrainingInterrupted,
} from "../../../lib/train/mod.ts";

/** Class = which quadrant of an 8x8 image holds a bright 3x3 square (with a little noise). */
function quadrants(length: number, seed: number): Dataset {
  return {
    length,
    get(i: number) {
      const label = (i * 7 + seed) % 4;
      const data = new Uint8Array(64);
      for (let p = 0; p < 64; p++) data[p] = (p * 37 + i * 11) % 20;
      const [y0, x0] = [(label >> 1) * 4, (label & 1) * 4];
      for (let y = y0; y < y0 + 3; y++) {
        for (let x = x0; x < x0 + 3; x++) {
          data[y * 8 + x + 1 - (label & 1)] = 255;
        }
      }
      return [{ data, channels: 1, height: 8, width: 8 }, label];
    },
  };
}

function smallNet(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(6 * 4 * 4, 4),
  );
}

Deno.test("train() learns, records the history, checkpoints each epoch and resumes", async () => {
  lib.manualSeed(0);
  const dir = await Deno.makeTempDir();
  const checkpoint = `${dir}/run.safetensors`;
  const trainLoader = new DataLoader(quadrants(64, 0), {
    batchSize: 16,
    shuffle: true,
    seed: 1,
  });
  const testLoader = new DataLoader(quadrants(32, 1), { batchSize: 16 });
  const model = smallNet();
  const opt = new optim.SGD(model.parameters(), { lr: 0.2, momentum: 0.9 });
  const first = await train(model, trainLoader, testLoader, {
    epochs: 2,
    optimizer: opt,
    checkpoint,
    live: false,
  });
  assert.equal(first.epochs.length, 2);
  assert.equal(first.points.length, 2 * 4);
  assert.ok(first.epochs[1].examplesPerSecond > 0);
  assert.match(first.adapter, /storage buffers/);
  const resumed = smallNet();
  const more = await train(resumed, trainLoader, testLoader, {
    epochs: 6,
    optimizer: new optim.SGD(resumed.parameters(), { lr: 0.2, momentum: 0.9 }),
    checkpoint,
    live: false,
  });
  assert.equal(more.epochs.length, 6);
  assert.deepEqual(
    more.epochs[0],
    first.epochs[0],
    "the resumed run keeps the earlier epochs",
  );
  assert.ok(
    more.epochs[5].testAccuracy >= 0.9,
    `test accuracy ${more.epochs[5].testAccuracy}`,
  );
  const result = await evaluate(resumed, testLoader);
  assert.equal(result.examples, 32);
  assert.equal(result.confusion.flat().reduce((a, b) => a + b, 0), 32);
  assert.equal(result.accuracy, more.epochs[5].testAccuracy);
});

Deno.test("train() stops on an abort with the epoch and the checkpoint kept", async () => {
  const dir = await Deno.makeTempDir();
  const checkpoint = `${dir}/run.safetensors`;
  const controller = new AbortController();
  const loader = new DataLoader(quadrants(64, 0), { batchSize: 8 });
  let epochsDone = 0;
  await assert.rejects(
    () =>
      train(smallNet(), loader, loader, {
        epochs: 3,
        lr: 0.1,
        checkpoint,
        live: false,
        signal: controller.signal,
        onEpoch: () => {
          if (++epochsDone === 1) controller.abort();
        },
      }),
    (e: Error) =>
      e instanceof TrainingInterrupted &&
      /epoch 2 at batch 0.*checkpoint of epoch 1/.test(e.message),
  );
  assert.equal((await lib.loadMetadata(checkpoint)).epoch, "1");
});

Deno.test("train() reports a diverging loss with the learning rate to lower", async () => {
  const loader = new DataLoader(quadrants(16, 0), { batchSize: 8 });
  await assert.rejects(
    () =>
      train(smallNet(), loader, loader, { epochs: 1, lr: 1e30, live: false }),
    /The loss at epoch 1, batch \d is (NaN|Infinity|-Infinity): training diverged; lower the learning rate \(now 1e\+30\)/,
  );
});

Deno.test("train() names the first batch whose loss is not finite, also when it reads several batches at once", async () => {
  lib.manualSeed(0);
  // 24 quick batches: after the first read, train() reads several at once
  const loader = new DataLoader(quadrants(96, 0), { batchSize: 4 });
  let calls = 0;
  // how many steps were recorded at each read of a value
  const recordedAtReads: number[] = [];
  const item = lib.Tensor.prototype.item;
  lib.Tensor.prototype.item = function () {
    recordedAtReads.push(calls);
    return item.call(this);
  };
  try {
    await assert.rejects(
      () =>
        train(smallNet(), loader, loader, {
          epochs: 1,
          lr: 0.1,
          live: false,
          pointsPerEpoch: 1,
          loss: (logits, labels) => {
            const loss = lib.crossEntropy(logits, labels);
            return ++calls === 7 ? loss.mul(Infinity) : loss;
          },
        }),
      /The loss at epoch 1, batch 7 is Infinity: training diverged/,
    );
  } finally {
    lib.Tensor.prototype.item = item;
  }
  // two values (loss, correct count) per batch; read together: fewer reads
  // than batches recorded
  const reads = new Set(recordedAtReads).size;
  assert.ok(
    reads < recordedAtReads.length / 2,
    `one read per batch: ${recordedAtReads}`,
  );
});

Deno.test("train() calls no onEpoch after an interrupt that came during the epoch's last awaits", async () => {
  const controller = new AbortController();
  const testLoader = new DataLoader(quadrants(16, 1), { batchSize: 8 });
  // The abort arrives when the test loader says it is done: every loop of
  // the epoch has made its last check by then.
  const abortingTestLoader = {
    length: testLoader.length,
    async *[Symbol.asyncIterator]() {
      yield* testLoader;
      controller.abort();
    },
  } as unknown as DataLoader;
  let epochsSeen = 0;
  await assert.rejects(
    () =>
      train(
        smallNet(),
        new DataLoader(quadrants(16, 0), { batchSize: 8 }),
        abortingTestLoader,
        {
          epochs: 3,
          lr: 0.1,
          live: false,
          signal: controller.signal,
          onEpoch: () => {
            epochsSeen++;
          },
        },
      ),
    TrainingInterrupted,
  );
  assert.equal(epochsSeen, 0, "onEpoch ran after the interrupt");
});
