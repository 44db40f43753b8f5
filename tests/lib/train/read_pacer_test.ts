import assert from "node:assert/strict";
import { ReadPacer } from "../../../lib/train/read_pacer.ts";

/** A pacer on a clock the test moves by hand. */
function pacerAt(lagSeconds: number, most = 64) {
  const clock = { ms: 0 };
  return { clock, pacer: new ReadPacer(lagSeconds, most, () => clock.ms) };
}

Deno.test("ReadPacer reads the first batch at once, then as many as fit the lag", () => {
  const { clock, pacer } = pacerAt(0.5);
  assert.equal(pacer.recorded(), true, "nothing measured yet");
  clock.ms += 100; // a batch took 100 ms, its wait included
  pacer.read();
  assert.equal(pacer.ahead, 5);
  for (let i = 0; i < 4; i++) assert.equal(pacer.recorded(), false);
  assert.equal(pacer.recorded(), true, "the fifth batch is read with the rest");
  clock.ms += 5 * 80; // reading fewer times made each batch cheaper
  pacer.read();
  assert.equal(pacer.ahead, 6);
});

Deno.test("ReadPacer keeps to one batch when a batch takes longer than the lag, and to `most` when it is very quick", () => {
  const slow = pacerAt(0.5);
  slow.pacer.recorded();
  slow.clock.ms += 800; // an AlexNet step on lavapipe
  slow.pacer.read();
  assert.equal(slow.pacer.ahead, 1);
  assert.equal(slow.pacer.recorded(), true);

  const quick = pacerAt(0.5, 64);
  quick.pacer.recorded();
  quick.clock.ms += 0.1;
  quick.pacer.read();
  assert.equal(quick.pacer.ahead, 64);
});

Deno.test("ReadPacer.restart leaves the time before it out of the next measure", () => {
  const { clock, pacer } = pacerAt(0.5);
  pacer.recorded();
  clock.ms += 50;
  pacer.read();
  assert.equal(pacer.ahead, 10);
  clock.ms += 10_000; // an evaluation and a checkpoint between epochs
  pacer.restart();
  for (let i = 0; i < 10; i++) pacer.recorded();
  clock.ms += 10 * 50;
  pacer.read();
  assert.equal(pacer.ahead, 10, "measured on the batches alone");
});
