// Tensors dropped without tidy() are reclaimed when GPU memory crosses the
// budget (gc() exposed, as the kernel's executor runs), so memory stays
// near the budget instead of growing with the loop.
import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";

Deno.test("a loop without tidy stays near the memory budget", async () => {
  const script = new URL("./_memory_loop.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", script, "40"],
    stderr: "inherit",
  }).output();
  assert.equal(out.code, 0);
  const { peak, hasGc } = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(hasGc, "function");
  // 40 steps of two 16 MiB tensors would be 1280 MiB without reclaiming.
  assert.ok(peak <= 160 * 2 ** 20, `peak ${peak / 2 ** 20} MiB`);
});

Deno.test("setMemoryBudget rejects a fraction of 0 or NaN", () => {
  assert.throws(() => lib.setMemoryBudget(0), RangeError);
  assert.throws(() => lib.setMemoryBudget(NaN), RangeError);
  assert.ok(lib.memoryBudget() > 0);
});
