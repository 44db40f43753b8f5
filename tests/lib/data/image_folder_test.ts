import assert from "node:assert/strict";
import { decode as decodePng, encode as encodePng } from "fast-png";
import jpeg from "jpeg-js";
import { DISPLAY, tensor } from "../../../lib/mod.ts";
import {
  DataLoader,
  decodeImage,
  ImageFolder,
  imageGrid,
} from "../../../lib/data/mod.ts";

/** A folder with classes "a" (two PNGs) and "b" (a JPEG), plus a text file that is skipped. */
async function makeFolder(): Promise<string> {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/a`);
  await Deno.mkdir(`${root}/b`);
  // 2x3 RGB PNG with distinct values; a grey 2x3 PNG.
  const rgb = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i * 10);
  await Deno.writeFile(
    `${root}/a/1.png`,
    encodePng({ width: 3, height: 2, data: rgb, channels: 3 }),
  );
  await Deno.writeFile(
    `${root}/a/2.PNG`,
    encodePng({
      width: 3,
      height: 2,
      data: new Uint8Array(6).fill(200),
      channels: 1,
    }),
  );
  const flat = new Uint8Array(3 * 2 * 4).fill(100);
  await Deno.writeFile(
    `${root}/b/1.jpg`,
    jpeg.encode({ width: 3, height: 2, data: flat }, 100).data,
  );
  await Deno.writeTextFile(`${root}/b/notes.txt`, "not an image");
  return root;
}

Deno.test("ImageFolder lists classes and decodes PNG and JPEG to CHW bytes", async () => {
  const root = await makeFolder();
  try {
    const folder = new ImageFolder(root);
    assert.deepEqual(folder.classes, ["a", "b"]);
    assert.equal(folder.length, 3);
    const [first, label] = folder.get(0);
    assert.equal(label, 0);
    assert.deepEqual([first.channels, first.height, first.width], [3, 2, 3]);
    // HWC 0,10,20 | 30,40,50 ... -> the red plane is 0, 30, 60, 90, 120, 150.
    assert.deepEqual(Array.from(first.data.subarray(0, 6)), [
      0,
      30,
      60,
      90,
      120,
      150,
    ]);
    assert.deepEqual(
      Array.from(folder.get(1)[0].data),
      new Array(18).fill(200),
    );
    const [jpg, jpgLabel] = folder.get(2);
    assert.equal(jpgLabel, 1);
    assert.ok(
      jpg.data.every((v) => Math.abs(v - 100) <= 2),
      "JPEG is lossy but close",
    );
    const grey = new ImageFolder(root, { channels: 1, size: 4 });
    assert.deepEqual(
      [grey.get(0)[0].channels, grey.get(0)[0].height, grey.get(0)[0].width],
      [1, 4, 4],
    );
    const loader = new DataLoader(grey, { batchSize: 3 });
    for await (const [images, labels] of loader) {
      assert.deepEqual(images.shape, [3, 1, 4, 4]);
      assert.deepEqual(Array.from(await labels.data()), [0, 0, 1]);
      images.dispose();
      labels.dispose();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("ImageFolder names an unreadable image, an empty folder, a missing folder", async () => {
  const root = await makeFolder();
  try {
    await Deno.writeTextFile(
      `${root}/b/broken.jpg`,
      "this is text, not a JPEG",
    );
    const png = await Deno.readFile(`${root}/a/1.png`);
    await Deno.writeFile(`${root}/a/3.png`, png.subarray(0, 40));
    const folder = new ImageFolder(root);
    assert.throws(
      () =>
        folder.get(folder.samples.findIndex(([p]) => p.endsWith("broken.jpg"))),
      new RegExp(
        `Cannot read image ${root}/b/broken\\.jpg: it is not a PNG or JPEG file`,
      ),
    );
    assert.throws(
      () => folder.get(folder.samples.findIndex(([p]) => p.endsWith("3.png"))),
      new RegExp(
        `Cannot decode image ${root}/a/3\\.png: .*remove or replace it`,
      ),
    );
    const empty = await Deno.makeTempDir();
    await Deno.mkdir(`${empty}/cats`);
    assert.throws(
      () => new ImageFolder(empty),
      /has no images: its class subfolders \(cats\) hold no/,
    );
    await Deno.remove(`${empty}/cats`);
    assert.throws(() => new ImageFolder(empty), /has no class subfolders/);
    await Deno.remove(empty);
    assert.throws(
      () => new ImageFolder(`${root}/missing`),
      /Cannot open image folder .*missing/,
    );
    assert.throws(
      () => decodeImage(new Uint8Array([1, 2, 3, 4]), "x.png"),
      /not a PNG or JPEG/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("imageGrid() renders a batch as a PNG grid with captions for display()", async () => {
  const images = tensor(
    Float32Array.from({ length: 3 * 1 * 2 * 2 }, (_, i) => i / 11),
    {
      shape: [3, 1, 2, 2],
    },
  );
  const grid = await imageGrid(images, {
    labels: [0, 2, 1],
    classes: ["cat", "dog<", "owl"],
    nrow: 2,
    padding: 1,
    scale: 3,
  });
  // 2 columns of 6 px + 3 px padding; 2 rows likewise.
  assert.deepEqual([grid.width, grid.height], [15, 15]);
  const decoded = decodePng(grid.png);
  assert.deepEqual([decoded.width, decoded.height, decoded.channels], [
    15,
    15,
    3,
  ]);
  // Image 1's first pixel (value 4/11) sits at x = 1 + 6 + 1, y = 1.
  assert.equal(decoded.data[(1 * 15 + 8) * 3], Math.round(255 * 4 / 11));
  const bundle = grid[DISPLAY]();
  assert.equal(typeof bundle["image/png"], "string");
  const html = bundle["text/html"] as string;
  assert.equal(html.match(/<img /g)?.length, 3);
  assert.match(html, /<figcaption[^>]*>dog&#60;<\/figcaption>/);
  assert.match(html, /<figcaption[^>]*>owl<\/figcaption>/);
  await assert.rejects(
    () => imageGrid(images.reshape([3, 4])),
    /Cannot draw a tensor of shape \[3,4\] as images/,
  );
  images.dispose();
});
