/**
 * `deno run -A bench/train_loop.ts [--batches=40] [--batch=50] [--runs=3]`:
 * examples per second of `train()` itself, loader, step and read-back
 * together, on notebook 05's small AlexNet (28x28 Fashion-MNIST-sized
 * images, synthetic here), where a step takes tens of milliseconds on
 * lavapipe and the loop's waits for the device weigh most. The median of
 * `runs` one-epoch runs after a warm-up run. Figures, not tests.
 *
 * @module
 */
import * as lib from "../lib/mod.ts";
import { nn, optim } from "../lib/mod.ts";
import { DataLoader, type Dataset } from "../lib/data/mod.ts";
import { train } from "../lib/train/mod.ts";
import { flag } from "./_args.ts";

const batches = Number(flag("batches") ?? 40);
const batch = Number(flag("batch") ?? 50);
const runs = Number(flag("runs") ?? 3);

/** Notebook 05's `smallAlexNet` with ReLU and no dropout. */
function smallAlexNet(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 16, 5, { padding: 2 }),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Conv2d(16, 32, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Flatten(),
    new nn.Linear(32 * 6 * 6, 256),
    new nn.ReLU(),
    new nn.Linear(256, 10),
  );
}

/** Deterministic 28x28 images, the class in their brightness pattern. */
function images(length: number): Dataset {
  return {
    length,
    get(i: number) {
      const data = new Uint8Array(28 * 28);
      for (let p = 0; p < data.length; p++) data[p] = (p * (i % 10 + 1)) % 256;
      return [{ data, channels: 1, height: 28, width: 28 }, i % 10];
    },
  };
}

const trainSet = images(batches * batch);
const testSet = images(2 * batch);
const rates: number[] = [];
for (let run = 0; run <= runs; run++) {
  lib.manualSeed(run);
  const net = smallAlexNet();
  const history = await train(
    net,
    new DataLoader(trainSet, { batchSize: batch, shuffle: true, seed: run }),
    new DataLoader(testSet, { batchSize: batch }),
    {
      epochs: 1,
      optimizer: new optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9 }),
      live: false,
      pointsPerEpoch: 1,
    },
  );
  if (run > 0) rates.push(history.epochs[0].examplesPerSecond); // run 0 compiles
}
rates.sort((a, b) => a - b);
console.log(
  `train(): ${rates[Math.floor(rates.length / 2)].toFixed(0)} examples/s ` +
    `(median of ${runs}; ${batches} batches of ${batch}; runs ${
      rates.map((r) => r.toFixed(0)).join(", ")
    }) on ${lib.device()}`,
);
