import assert from "node:assert/strict";
import { type Tensor, tensor } from "../../../lib/mod.ts";
import { Generator } from "../../../lib/data/generator.ts";
import {
  averageCrops,
  CenterCrop,
  ColorJitter,
  Compose,
  Normalize,
  PCALighting,
  RandomCrop,
  RandomHorizontalFlip,
  RandomResizedCrop,
  Resize,
  symmetricEigen,
  TenCrop,
  toTensor,
} from "../../../lib/data/transforms/mod.ts";
import { assertClose, rng } from "../helpers.ts";
import { type Batch, cropResizeOracle, whole } from "./_oracle.ts";

function randomBatch(shape: Batch["shape"], seed: number): Batch {
  const next = rng(seed);
  const n = shape.reduce((p, s) => p * s, 1);
  // float32-representable values so both sides start equal
  return {
    shape,
    data: Float64Array.from({ length: n }, () => Math.fround(next())),
  };
}

function gpu(x: Batch): Tensor {
  return tensor(Float32Array.from(x.data), { shape: x.shape });
}

async function expectExact(actual: Tensor, expected: Batch, what: string) {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const values = await actual.data();
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== Math.fround(expected.data[i])) {
      assert.fail(
        `${what}: element ${i} is ${values[i]}, expected ${expected.data[i]}`,
      );
    }
  }
}

Deno.test("Resize matches PyTorch's bilinear align_corners=False (2x2 -> 4x4)", async () => {
  const x = tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2] });
  const y = new Resize(4).apply(x);
  // torch.nn.functional.interpolate(x, size=4, mode="bilinear", align_corners=False)
  await assertClose(y, [
    1.0,
    1.25,
    1.75,
    2.0,
    1.5,
    1.75,
    2.25,
    2.5,
    2.5,
    2.75,
    3.25,
    3.5,
    3.0,
    3.25,
    3.75,
    4.0,
  ], { atol: 1e-6, rtol: 0 });
  x.dispose();
  y.dispose();
});

Deno.test("Resize 28 -> 224 and down to odd sizes match a float64 oracle within 1e-5", async () => {
  for (
    const [shape, oh, ow] of [
      [[2, 1, 28, 28], 224, 224],
      [[1, 3, 5, 7], 3, 11],
      [[1, 2, 9, 4], 9, 1],
    ] as [Batch["shape"], number, number][]
  ) {
    const x = randomBatch(shape, 7);
    const input = gpu(x);
    const y = new Resize([oh, ow]).apply(input);
    await assertClose(y, cropResizeOracle(x, whole(x), oh, ow).data, {
      atol: 1e-5,
      rtol: 0,
    }, `Resize [${shape}] -> ${oh}x${ow}`);
    input.dispose();
    y.dispose();
  }
});

Deno.test("Resize with one size sets the smaller edge and keeps the aspect ratio", () => {
  const x = tensor(new Float32Array(200), { shape: [1, 1, 10, 20] });
  const y = new Resize(5).apply(x);
  assert.deepEqual(y.shape, [1, 1, 5, 10]);
  x.dispose();
  y.dispose();
});

Deno.test("RandomHorizontalFlip mirrors exactly the images its draws pick", async () => {
  const x = randomBatch([6, 2, 3, 5], 1);
  const input = gpu(x);
  const all = new RandomHorizontalFlip(1).apply(input);
  await expectExact(
    all,
    cropResizeOracle(x, whole(x, Array(6).fill(true)), 3, 5),
    "p = 1",
  );
  const none = new RandomHorizontalFlip(0).apply(input);
  await expectExact(none, x, "p = 0");
  const replay = new Generator(3);
  const flips = Array.from({ length: 6 }, () => replay.random() < 0.5);
  assert.ok(flips.includes(true) && flips.includes(false), "seed 3 should mix");
  const some = new RandomHorizontalFlip().apply(input, new Generator(3));
  await expectExact(
    some,
    cropResizeOracle(x, whole(x, flips), 3, 5),
    "p = 0.5, seed 3",
  );
  for (const t of [input, all, none, some]) t.dispose();
});

Deno.test("RandomCrop with padding takes the exact window its seeded draws give", async () => {
  const x = randomBatch([5, 1, 6, 6], 2);
  const input = gpu(x);
  const y = new RandomCrop(6, { padding: 2 }).apply(input, new Generator(11));
  const replay = new Generator(11);
  const boxes = Array.from({ length: 5 }, (_, source) => ({
    source,
    top: replay.randint(0, 6 + 4 - 6 + 1) - 2,
    left: replay.randint(0, 6 + 4 - 6 + 1) - 2,
    height: 6,
    width: 6,
    flip: false,
  }));
  assert.ok(
    boxes.some((b) => b.top < 0 || b.left < 0),
    "some crops reach the padding",
  );
  await expectExact(y, cropResizeOracle(x, boxes, 6, 6), "RandomCrop");
  // The same seed gives the same batch; another seed another one.
  const again = new RandomCrop(6, { padding: 2 }).apply(
    input,
    new Generator(11),
  );
  const other = new RandomCrop(6, { padding: 2 }).apply(
    input,
    new Generator(12),
  );
  assert.deepEqual(await again.data(), await y.data());
  assert.notDeepEqual(await other.data(), await y.data());
  for (const t of [input, y, again, other]) t.dispose();
});

Deno.test("CenterCrop and TenCrop cut the exact windows, in torchvision's order", async () => {
  const x = randomBatch([2, 1, 5, 6], 4);
  const input = gpu(x);
  const centre = new CenterCrop([3, 3]).apply(input);
  // torchvision: top = round((5 - 3) / 2) = 1, left = round((6 - 3) / 2) = round(1.5) = 2
  await expectExact(
    centre,
    cropResizeOracle(
      x,
      whole(x).map((b) => ({ ...b, top: 1, left: 2, height: 3, width: 3 })),
      3,
      3,
    ),
    "CenterCrop",
  );
  const ten = new TenCrop(3).apply(input);
  assert.deepEqual(ten.shape, [20, 1, 3, 3]);
  const places = [[0, 0], [0, 3], [2, 0], [2, 3], [1, 2]];
  const boxes = [0, 1].flatMap((source) =>
    [false, true].flatMap((flip) =>
      places.map(([top, left]) => ({
        source,
        top,
        left: flip ? 6 - 3 - left : left,
        height: 3,
        width: 3,
        flip,
      }))
    )
  );
  await expectExact(ten, cropResizeOracle(x, boxes, 3, 3), "TenCrop");
  // Mirrored top-left crop = mirror of the top-right crop of the original.
  const values = await ten.data();
  assert.deepEqual(
    Array.from(values.subarray(5 * 9, 5 * 9 + 3)),
    Array.from(values.subarray(1 * 9, 1 * 9 + 3)).reverse(),
  );
  const averaged = averageCrops(
    tensor(Float32Array.from({ length: 20 }, (_, i) => i), { shape: [20, 1] }),
  );
  await assertClose(averaged, [4.5, 14.5]);
  for (const t of [input, centre, ten, averaged]) t.dispose();
});

Deno.test("RandomResizedCrop resizes the boxes of torchvision's sampling, within 1e-5", async () => {
  const x = randomBatch([4, 1, 28, 28], 5);
  const input = gpu(x);
  const transform = new RandomResizedCrop(32);
  const y = transform.apply(input, new Generator(8));
  const replay = new Generator(8);
  const boxes = Array.from(
    { length: 4 },
    (_, source) => ({ ...transform.box(28, 28, replay), source }),
  );
  await assertClose(y, cropResizeOracle(x, boxes, 32, 32).data, {
    atol: 1e-5,
    rtol: 0,
  });
  // Statistics of the boxes over many draws: area and ratio in range, positions inside.
  const g = new Generator(1);
  let areaSum = 0;
  for (let i = 0; i < 2000; i++) {
    const b = transform.box(28, 28, g);
    const area = (b.height * b.width) / 784;
    assert.ok(
      b.top >= 0 && b.left >= 0 && b.top + b.height <= 28 &&
        b.left + b.width <= 28,
    );
    assert.ok(area >= 0.05 && area <= 1, `area ${area}`);
    areaSum += area;
  }
  // torchvision's sampling (retries reject large crops of extreme ratio)
  // gives a mean area of 0.491 of a 28x28 image (200,000 draws of its
  // get_params in Python), not E[U(0.08, 1)] = 0.54.
  assert.ok(
    Math.abs(areaSum / 2000 - 0.491) < 0.02,
    `mean area ${areaSum / 2000}`,
  );
  input.dispose();
  y.dispose();
});

Deno.test("Normalize is (x - mean) / std per channel, exactly as float32", async () => {
  const x = randomBatch([2, 3, 2, 2], 6);
  const input = gpu(x);
  const mean = [0.5, 0.25, 0.125];
  const std = [0.5, 2, 4]; // powers of two: the division is exact
  const y = new Normalize(mean, std).apply(input);
  const expected = x.data.map((v, i) => {
    const c = Math.floor(i / 4) % 3;
    return Math.fround(Math.fround(v - mean[c]) / std[c]);
  });
  await expectExact(y, { shape: x.shape, data: expected }, "Normalize");
  assert.throws(
    () => new Normalize([0.5], [0.5, 0.5]),
    /1 means and 2 standard deviations/,
  );
  assert.throws(
    () => new Normalize([0.5, 0.5], [1, 1]).apply(input),
    /3 channels using 2 means/,
  );
  input.dispose();
  y.dispose();
});

Deno.test("toTensor() turns bytes into values / 255 exactly", async () => {
  const bytes = Uint8Array.from({ length: 1001 }, (_, i) => (i * 37) % 256);
  const x = toTensor(bytes, [7, 11, 13]);
  const values = await x.data();
  bytes.forEach((b, i) =>
    assert.equal(values[i], Math.fround(b * Math.fround(1 / 255)))
  );
  assert.throws(
    () => toTensor(bytes, [10, 10]),
    /shape \[10,10\] from 1001 bytes/,
  );
  x.dispose();
});

Deno.test("ColorJitter scales brightness, blends contrast to the mean grey, clamps", async () => {
  const x = randomBatch([3, 3, 4, 4], 9);
  const input = gpu(x);
  const bright = new ColorJitter({ brightness: [2, 2] }).apply(input);
  await assertClose(bright, x.data.map((v) => Math.min(1, 2 * v)), {
    atol: 1e-6,
    rtol: 0,
  });
  const flat = new ColorJitter({ contrast: [0, 0] }).apply(input);
  const values = await flat.data();
  for (let n = 0; n < 3; n++) {
    let grey = 0;
    for (let k = 0; k < 16; k++) {
      const at = (c: number) => x.data[(n * 3 + c) * 16 + k];
      grey += 0.2989 * at(0) + 0.587 * at(1) + 0.114 * at(2);
    }
    for (let k = 0; k < 48; k++) {
      assert.ok(Math.abs(values[n * 48 + k] - grey / 16) < 1e-5);
    }
  }
  // Random factors stay in their range: brightness in [0.6, 1.4] scales the mean by as much.
  const ones = tensor(new Float32Array(200 * 4).fill(0.5), {
    shape: [200, 1, 2, 2],
  });
  const jittered = await new ColorJitter({ brightness: 0.4 }).apply(
    ones,
    new Generator(2),
  ).data();
  const factors = Array.from({ length: 200 }, (_, n) => jittered[n * 4] / 0.5);
  assert.ok(factors.every((f) => f >= 0.6 - 1e-6 && f <= 1.4 + 1e-6));
  assert.ok(Math.abs(factors.reduce((a, b) => a + b) / 200 - 1) < 0.05);
  assert.throws(() => new ColorJitter({ brightness: -1 }), /non-negative/);
  for (const t of [input, bright, flat, ones]) t.dispose();
});

Deno.test("PCALighting fits the colour covariance and shifts each image by one colour, zero on average", async () => {
  // Pixels along the direction (1, 1, 0)/sqrt(2) with variance 2 * 0.01, plus tiny noise.
  const next = rng(4);
  const n = 64, plane = 16;
  const data = new Float32Array(n * 3 * plane);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < plane; k++) {
      const t = (next() - 0.5) * Math.sqrt(12) * 0.1;
      const noise = () => (next() - 0.5) * 1e-3;
      data[(i * 3 + 0) * plane + k] = 0.5 + t + noise();
      data[(i * 3 + 1) * plane + k] = 0.5 + t + noise();
      data[(i * 3 + 2) * plane + k] = 0.5 + noise();
    }
  }
  const images = tensor(data, { shape: [n, 3, 4, 4] });
  const lighting = await PCALighting.fit(images);
  assert.ok(
    Math.abs(lighting.eigenvalues[0] - 0.02) < 0.004,
    `λ0 ${lighting.eigenvalues[0]}`,
  );
  assert.ok(lighting.eigenvalues[1] < 1e-5);
  const [a, b, c] = lighting.eigenvectors[0];
  assert.ok(
    Math.abs(Math.abs(a) - Math.SQRT1_2) < 1e-2 && Math.abs(a - b) < 1e-2 &&
      Math.abs(c) < 1e-2,
  );
  const shifted = lighting.apply(images, new Generator(5));
  assert.deepEqual(shifted.shape, images.shape);
  const out = await shifted.data();
  let meanShift = 0;
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < 3; ch++) {
      const base = (i * 3 + ch) * plane;
      const shift = out[base] - data[base];
      for (let k = 1; k < plane; k++) {
        assert.ok(Math.abs(out[base + k] - data[base + k] - shift) < 1e-6);
      }
      meanShift += shift;
    }
  }
  // alpha ~ N(0, 0.1) times λ0 = 0.02: shifts of about 0.002 that average out.
  assert.ok(
    Math.abs(meanShift / (3 * n)) < 1e-3,
    `mean shift ${meanShift / (3 * n)}`,
  );
  const eig = symmetricEigen([[2, 1, 0], [1, 2, 0], [0, 0, 5]]);
  assert.deepEqual(eig.values.map((v) => +v.toFixed(9)), [5, 3, 1]);
  images.dispose();
  shifted.dispose();
});

Deno.test("Compose chains transforms and frees the intermediates", async () => {
  const { memory } = await import("../../../lib/mod.ts");
  const x = randomBatch([2, 1, 28, 28], 3);
  const input = gpu(x);
  const augment = new Compose([
    new Resize(56),
    new RandomCrop(48, { padding: 4 }),
    new RandomHorizontalFlip(),
    new Normalize([0.5], [0.5]),
  ]);
  augment.apply(input, new Generator(0)).dispose();
  const before = memory().bytesInUse;
  const y = augment.apply(input, new Generator(0));
  assert.deepEqual(y.shape, [2, 1, 48, 48]);
  y.dispose();
  assert.equal(memory().bytesInUse, before);
  input.dispose();
});

Deno.test("Transforms reject a wrong rank and an impossible crop, naming them", () => {
  const image = tensor(new Float32Array(784), { shape: [1, 28, 28] });
  assert.throws(
    () => new Resize(224).apply(image),
    /Cannot apply Resize to a tensor of shape \[1,28,28\]: it takes a batch/,
  );
  const batch = image.reshape([1, 1, 28, 28]);
  assert.throws(
    () => new RandomCrop(40, { padding: 4 }).apply(batch),
    /random 40x40 crop of 28x28 images with padding 4/,
  );
  assert.throws(
    () => new TenCrop(30).apply(batch),
    /30x30 crops of 28x28 images/,
  );
  assert.throws(() => new Resize(0), /positive integer/);
  assert.throws(() => new RandomResizedCrop(8, { scale: [0.5, 0.1] }), /scale/);
  image.dispose();
  batch.dispose();
});

Deno.test("Compose runs a crop and a following flip as one pass with the same result", async () => {
  const x = randomBatch([6, 1, 28, 28], 12);
  const input = gpu(x);
  const crop = new RandomResizedCrop(20);
  const flip = new RandomHorizontalFlip();
  const fused = new Compose([crop, flip]).apply(input, new Generator(4));
  const g = new Generator(4);
  const cropped = crop.apply(input, g);
  const separate = flip.apply(cropped, g);
  assert.deepEqual(await fused.data(), await separate.data());
  for (const t of [input, fused, cropped, separate]) t.dispose();
});
