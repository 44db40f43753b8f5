import assert from "node:assert/strict";
import {
  gunzipIfNeeded,
  parseIdx,
  readIdxFile,
} from "../../../lib/data/idx.ts";

/** An unsigned-byte IDX file of `dims` with values i % 256. */
function idxFile(dims: number[], magicType = 0x08): Uint8Array {
  const count = dims.reduce((p, s) => p * s, 1);
  const bytes = new Uint8Array(4 + 4 * dims.length + count);
  const view = new DataView(bytes.buffer);
  bytes.set([0, 0, magicType, dims.length]);
  dims.forEach((size, d) => view.setUint32(4 + 4 * d, size, false));
  for (let i = 0; i < count; i++) bytes[4 + 4 * dims.length + i] = i % 256;
  return bytes;
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("parseIdx() reads the dimensions and values of an image file", () => {
  const { dims, data } = parseIdx(idxFile([3, 4, 5]));
  assert.deepEqual(dims, [3, 4, 5]);
  assert.equal(data.length, 60);
  assert.equal(data[59], 59);
});

Deno.test("parseIdx() rejects a wrong magic number, naming the file", () => {
  const bytes = idxFile([2, 2]);
  bytes[0] = 0x1f;
  assert.throws(
    () => parseIdx(bytes, "labels.idx"),
    /Cannot read labels\.idx: magic number 0x1f000802 is not IDX/,
  );
  assert.throws(
    () => parseIdx(idxFile([2], 0x0d), "floats.idx"),
    /float32 values; only unsigned-byte/,
  );
});

Deno.test("parseIdx() rejects truncated and padded files with both sizes", () => {
  const whole = idxFile([10, 28, 28]);
  assert.throws(
    () => parseIdx(whole.subarray(0, whole.length - 100), "images"),
    /need 7840 bytes of data but the file has 7740: it is truncated/,
  );
  assert.throws(
    () => parseIdx(whole.subarray(0, 10), "images"),
    /announces 3 dimensions \(16 bytes\) but the file has 10 bytes/,
  );
  const padded = new Uint8Array(whole.length + 1);
  padded.set(whole);
  assert.throws(() => parseIdx(padded), /longer than its header says/);
  assert.throws(() => parseIdx(new Uint8Array(2), "empty"), /too short/);
});

Deno.test("readIdxFile() reads gzip and raw files alike, and names a broken gzip", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const raw = idxFile([7, 3]);
    const zipped = await gzip(raw);
    await Deno.writeFile(`${dir}/a`, raw);
    await Deno.writeFile(`${dir}/a.gz`, zipped);
    const plain = await readIdxFile(`${dir}/a`);
    const unzipped = await readIdxFile(`${dir}/a.gz`);
    assert.deepEqual(unzipped.dims, [7, 3]);
    assert.deepEqual(unzipped.data, plain.data);
    await Deno.writeFile(
      `${dir}/cut.gz`,
      zipped.subarray(0, zipped.length - 12),
    );
    await assert.rejects(
      () => readIdxFile(`${dir}/cut.gz`),
      new RegExp(
        `Cannot decompress ${dir}/cut\\.gz: the gzip data is corrupt or truncated`,
      ),
    );
    assert.equal(await gunzipIfNeeded(raw), raw);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
