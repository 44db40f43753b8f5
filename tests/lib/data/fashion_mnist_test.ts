import assert from "node:assert/strict";
import {
  DEBIAN_FASHION_MNIST_DIR,
  FashionMNIST,
} from "../../../lib/data/fashion_mnist.ts";
import { DataLoader } from "../../../lib/data/data_loader.ts";

const installed = (() => {
  try {
    return Deno.statSync(
      `${DEBIAN_FASHION_MNIST_DIR}/train-labels-idx1-ubyte.gz`,
    ).isFile;
  } catch {
    return false;
  }
})();
if (!installed) {
  console.warn(
    `Skipping the real Fashion-MNIST tests: ${DEBIAN_FASHION_MNIST_DIR} is missing (apt-get install dataset-fashion-mnist, or bash scripts/setup.sh)`,
  );
}

Deno.test({
  name:
    "FashionMNIST reads both splits: 60,000/10,000 images, 6,000/1,000 per class, train pixel mean 0.2860",
  ignore: !installed,
  async fn() {
    for (const [train, count] of [[true, 60000], [false, 10000]] as const) {
      const split = await new FashionMNIST({ train, download: false }).load();
      assert.equal(split.length, count);
      assert.equal(split.data.length, count * 784);
      if (!Deno.env.get("FASHION_MNIST_DIR")) {
        // Found by the search: Debian's folder comes before the cache.
        assert.equal(
          split.files[0],
          `${DEBIAN_FASHION_MNIST_DIR}/${
            train ? "train" : "t10k"
          }-images-idx3-ubyte.gz`,
        );
      }
      const perClass = new Array(10).fill(0);
      for (const label of split.targets) perClass[label]++;
      assert.deepEqual(perClass, new Array(10).fill(count / 10));
      let sum = 0;
      for (const v of split.data) sum += v;
      const mean = sum / split.data.length / 255;
      assert.ok(
        Math.abs(mean - (train ? 0.2860 : 0.2868)) < 5e-5,
        `mean ${mean}`,
      );
      const [image, label] = split.get(0);
      assert.deepEqual([image.channels, image.height, image.width], [
        1,
        28,
        28,
      ]);
      assert.equal(split.classes[label], "Ankle boot"); // item 0 of both splits
    }
  },
});

Deno.test({
  name:
    "FashionMNIST feeds a DataLoader: the first batch's pixel mean matches the bytes",
  ignore: !installed,
  async fn() {
    const test = new FashionMNIST({ train: false, download: false });
    const loader = new DataLoader(test, { batchSize: 64 });
    for await (const [images, labels] of loader) {
      assert.deepEqual(images.shape, [64, 1, 28, 28]);
      let sum = 0;
      for (const v of test.data.subarray(0, 64 * 784)) sum += v;
      assert.ok(
        Math.abs(await images.mean().item() - sum / 255 / (64 * 784)) < 1e-5,
      );
      assert.deepEqual(
        Array.from(await labels.data()),
        Array.from(test.targets.subarray(0, 64)),
      );
      images.dispose();
      labels.dispose();
      break;
    }
  },
});

Deno.test("FashionMNIST says where it looked and how to fix it when files are missing", async () => {
  const root = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => new FashionMNIST({ train: false, root, download: false }).load(),
      new RegExp(
        `Cannot find Fashion-MNIST's t10k-images-idx3-ubyte\\(\\.gz\\) in ${root}: install it \\(apt-get install dataset-fashion-mnist\\)`,
      ),
    );
    assert.throws(
      () => new FashionMNIST({ root }).get(0),
      /not loaded yet: `await dataset.load\(\)` first/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test({
  name:
    "FashionMNIST's content check catches one changed byte in a raw IDX file and names it",
  ignore: !installed,
  async fn() {
    const root = await Deno.makeTempDir();
    try {
      const unzip = async (name: string) =>
        new Uint8Array(
          await new Response(
            (await Deno.open(`${DEBIAN_FASHION_MNIST_DIR}/${name}.gz`)).readable
              .pipeThrough(new DecompressionStream("gzip")),
          ).arrayBuffer(),
        );
      const images = await unzip("t10k-images-idx3-ubyte");
      images[5000] ^= 1;
      await Deno.writeFile(`${root}/t10k-images-idx3-ubyte`, images);
      await assert.rejects(
        () => new FashionMNIST({ train: false, root, download: false }).load(),
        new RegExp(
          `Content check failed for ${root}/t10k-images-idx3-ubyte: the MD5 of its decompressed data is [0-9a-f]{32}, expected 8181f5470baa50b63fa0f6fddb340f0a`,
        ),
      );
      // A truncated file fails the check too (its size is in the message).
      await Deno.writeFile(
        `${root}/t10k-images-idx3-ubyte`,
        images.subarray(0, 1000),
      );
      await assert.rejects(
        () => new FashionMNIST({ train: false, root, download: false }).load(),
        /1000 bytes, expected 7840016/,
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
