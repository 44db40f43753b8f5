import assert from "node:assert/strict";
import * as lib from "../../lib/mod.ts";
import { nn } from "../../lib/mod.ts";

Deno.test("loadMetadata explains an empty file, a text file and a huge header claim", async () => {
  const dir = Deno.makeTempDirSync();
  Deno.writeFileSync(`${dir}/empty`, new Uint8Array());
  await assert.rejects(
    () => lib.loadMetadata(`${dir}/empty`),
    lib.CheckpointError,
  );
  Deno.writeTextFileSync(`${dir}/text`, "hello, this is not a checkpoint\n");
  await assert.rejects(
    () => lib.loadMetadata(`${dir}/text`),
    /claims \d+ bytes but the file has 24/,
  );
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
  Deno.writeFileSync(`${dir}/huge`, huge);
  await assert.rejects(
    () => lib.loadMetadata(`${dir}/huge`),
    /claims 1099511627776/,
  );
  const bad = new Uint8Array(12);
  new DataView(bad.buffer).setBigUint64(0, 4n, true);
  bad.set(new TextEncoder().encode("{{{{"), 8);
  Deno.writeFileSync(`${dir}/bad`, bad);
  await assert.rejects(() => lib.loadMetadata(`${dir}/bad`), /not valid JSON/);
});

Deno.test("save() to a directory leaves no temporary file", async () => {
  const dir = Deno.makeTempDirSync();
  Deno.mkdirSync(`${dir}/model.safetensors`);
  await assert.rejects(() =>
    lib.save(new nn.Linear(1, 1), `${dir}/model.safetensors`)
  );
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [
    "model.safetensors",
  ]);
});
