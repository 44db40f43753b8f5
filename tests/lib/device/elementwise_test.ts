import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";
import { bindingLimit } from "../../../lib/device/recorder.ts";

// An output larger than one binding runs in ranges; an expression that reads
// the element index (arange, linspace, eye) must count from the whole
// output's start in every range, not restart at 0.
const past = bindingLimit / 4 + 4096;

/** Indices around the first range boundary and at the end. */
function probes(n: number): number[] {
  const edge = Math.floor(bindingLimit / 4 / 64) * 64;
  return [0, 1, edge - 2, edge - 1, edge, edge + 1, edge + 4000, n - 1];
}

Deno.test("arange past one binding counts on in the second range", async () => {
  const t = lib.arange(past);
  const values = await t.data();
  t.dispose();
  for (const k of probes(past)) {
    assert.equal(values[k], Math.fround(k), `index ${k}`);
  }
});

Deno.test("linspace past one binding reaches its end value", async () => {
  const t = lib.linspace(0, 1, past);
  const values = await t.data();
  t.dispose();
  for (const k of probes(past)) {
    const want = k / (past - 1);
    assert.ok(
      Math.abs(values[k] - want) < 1e-6,
      `index ${k}: ${values[k]} vs ${want}`,
    );
  }
});

Deno.test("eye past one binding has ones only on the diagonal", async () => {
  const side = Math.ceil(Math.sqrt(past));
  const t = lib.eye(side);
  const values = await t.data();
  t.dispose();
  let ones = 0;
  for (let k = 0; k < values.length; k++) {
    if (values[k] !== 0) {
      ones++;
      assert.equal(
        Math.floor(k / side),
        k % side,
        `one at ${k} is off the diagonal`,
      );
    }
  }
  assert.equal(ones, side);
});
