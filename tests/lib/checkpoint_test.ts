import assert from "node:assert/strict";
import * as lib from "../../lib/mod.ts";
import { nn } from "../../lib/mod.ts";

function tempPath(): string {
  return `${Deno.makeTempDirSync()}/model.safetensors`;
}

Deno.test("save() and load() round-trip a model in safetensors layout", async () => {
  const path = tempPath();
  const a = new nn.Sequential(
    new nn.Conv2d(1, 2, 3),
    new nn.Flatten(),
    new nn.Linear(2, 3),
  );
  await lib.save(a, path, { epoch: "3" });
  const bytes = await Deno.readFile(path);
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(headerLength % 8, 0);
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)),
  );
  assert.deepEqual(header["0.weight"], {
    dtype: "F32",
    shape: [2, 1, 3, 3],
    data_offsets: [8, 80],
  });
  assert.deepEqual(header.__metadata__, { epoch: "3" });
  const b = new nn.Sequential(
    new nn.Conv2d(1, 2, 3),
    new nn.Flatten(),
    new nn.Linear(2, 3),
  );
  b.loadStateDict(await lib.load(path));
  for (const [p, q] of a.parameters().map((p, i) => [p, b.parameters()[i]])) {
    assert.deepEqual(await q.data(), await p.data());
  }
  assert.deepEqual(await lib.loadMetadata(path), { epoch: "3" });
  assert.deepEqual(
    [...Deno.readDirSync(path.replace(/\/[^/]+$/, ""))].map((e) => e.name),
    ["model.safetensors"],
  );
});

Deno.test("load() rejects truncated, corrupt and non-F32 files with the reason", async () => {
  const path = tempPath();
  await lib.save({ w: lib.ones([4]) }, path);
  const bytes = await Deno.readFile(path);
  await Deno.writeFile(path, bytes.subarray(0, bytes.length - 3));
  await assert.rejects(
    () => lib.load(path),
    /offsets \[0, 16\] run past the data's 13 bytes \(truncated\?\)/,
  );
  await Deno.writeFile(path, bytes.subarray(0, 6));
  await assert.rejects(
    () => lib.load(path),
    /too few for a safetensors header/,
  );
  const broken = bytes.slice();
  broken[9] = 0x7b; // `{` inside the header: invalid JSON
  broken[10] = 0x7b;
  await Deno.writeFile(path, broken);
  await assert.rejects(() => lib.load(path), lib.CheckpointError);
  const f16 = new TextEncoder().encode(
    JSON.stringify({ w: { dtype: "F16", shape: [2], data_offsets: [0, 4] } }),
  );
  const file = new Uint8Array(8 + f16.length + 4);
  new DataView(file.buffer).setBigUint64(0, BigInt(f16.length), true);
  file.set(f16, 8);
  await Deno.writeFile(path, file);
  await assert.rejects(
    () => lib.load(path),
    /dtype F16; this library reads F32 only/,
  );
});
