import assert from "node:assert/strict";
import { memory, synchronize } from "../../../lib/mod.ts";
import {
  DataLoader,
  type Dataset,
  type ImageBytes,
  Subset,
  transforms,
} from "../../../lib/data/mod.ts";

/** Item i: a 1x4x4 image whose every byte is i % 256, label i. */
function numbered(length: number, side = 4): Dataset {
  return {
    length,
    get(i: number): [ImageBytes, number] {
      const data = new Uint8Array(side * side).fill(i % 256);
      return [{ data, channels: 1, height: side, width: side }, i];
    },
  };
}

async function epochLabels(loader: DataLoader): Promise<number[][]> {
  const batches: number[][] = [];
  for await (const [images, labels] of loader) {
    const values = Array.from(await labels.data());
    const pixels = await images.data();
    // Each image still shows its own index: images and labels stay paired.
    const size = images.numel / images.shape[0];
    values.forEach((label, k) =>
      assert.equal(Math.round(pixels[k * size] * 255), label % 256)
    );
    batches.push(values);
    images.dispose();
    labels.dispose();
  }
  return batches;
}

Deno.test("DataLoader has length in batches and keeps or drops the last partial batch", async () => {
  const keep = new DataLoader(numbered(10), { batchSize: 4 });
  const drop = new DataLoader(numbered(10), { batchSize: 4, dropLast: true });
  assert.equal(keep.length, 3);
  assert.equal(drop.length, 2);
  assert.deepEqual((await epochLabels(keep)).map((b) => b.length), [4, 4, 2]);
  assert.deepEqual(await epochLabels(drop), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  assert.throws(
    () => new DataLoader(numbered(3), { batchSize: 0 }),
    /batchSize 0/,
  );
});

Deno.test("DataLoader with shuffle visits every index exactly once per epoch, in a new order each epoch", async () => {
  const loader = new DataLoader(numbered(37), {
    batchSize: 8,
    shuffle: true,
    seed: 5,
  });
  const first = (await epochLabels(loader)).flat();
  const second = (await epochLabels(loader)).flat();
  for (const epoch of [first, second]) {
    assert.deepEqual(
      [...epoch].sort((a, b) => a - b),
      Array.from({ length: 37 }, (_, i) => i),
    );
  }
  assert.notDeepEqual(first, second);
  assert.notDeepEqual(first, Array.from({ length: 37 }, (_, i) => i));
  assert.equal(loader.epoch, 2);
});

Deno.test("DataLoader replays the same batches, augmentation included, for the same seed", async () => {
  const make = (seed: number) =>
    new DataLoader(numbered(12, 8), {
      batchSize: 5,
      shuffle: true,
      seed,
      transform: new transforms.Compose([
        new transforms.RandomCrop(8, { padding: 2 }),
        new transforms.RandomHorizontalFlip(),
      ]),
    });
  const images = async (loader: DataLoader) => {
    const out: number[] = [];
    for await (const [x, y] of loader) {
      out.push(...await x.data(), ...await y.data());
      x.dispose();
      y.dispose();
    }
    return out;
  };
  const a = make(1), b = make(1), c = make(2);
  assert.deepEqual(await images(a), await images(b));
  assert.notDeepEqual(await images(a), await images(c));
});

Deno.test("DataLoader keeps GPU memory flat over an epoch of augmented batches", async () => {
  const loader = new DataLoader(
    new Subset(numbered(64, 28), Array.from({ length: 48 }, (_, i) => i)),
    {
      batchSize: 8,
      shuffle: true,
      seed: 0,
      transform: new transforms.Compose([
        new transforms.RandomResizedCrop(32),
        new transforms.RandomHorizontalFlip(),
        new transforms.ColorJitter({ brightness: 0.4, contrast: 0.4 }),
        new transforms.Normalize([0.286], [0.353]),
      ]),
    },
  );
  const epoch = async () => {
    for await (const [x, y] of loader) {
      await y.data(); // a readback per step, as a training loop does
      x.dispose();
      y.dispose();
    }
    await synchronize();
  };
  await epoch(); // warms the pool and the pipeline cache
  const before = memory();
  await epoch();
  await epoch();
  const after = memory();
  assert.equal(
    after.bytesInUse,
    before.bytesInUse,
    `in use: ${before} -> ${after}`,
  );
  assert.equal(
    after.bytesPooled,
    before.bytesPooled,
    `pooled: ${before} -> ${after}`,
  );
});

Deno.test("DataLoader explains why images of different sizes cannot be batched", async () => {
  const mixed: Dataset = {
    length: 2,
    get: (
      i,
    ) => [{
      data: new Uint8Array((i + 2) ** 2),
      channels: 1,
      height: i + 2,
      width: i + 2,
    }, i],
  };
  const loader = new DataLoader(mixed, { batchSize: 2 });
  await assert.rejects(
    async () => {
      for await (const _ of loader) { /* nothing */ }
    },
    /Cannot batch images of shapes \[1, 2, 2\] \(item 0\) and \[1, 3, 3\] \(item 1\)/,
  );
});
