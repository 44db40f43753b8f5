// Run with --v8-flags=--expose-gc: makes 16 MiB tensors in a loop without
// tidy (a macrotask between steps, as a notebook's awaits give) under a
// 64 MiB budget and prints the peak bytes in use and pooled as JSON.
import * as lib from "../../../lib/mod.ts";

const steps = Number(Deno.args[0] ?? 40);
lib.setMemoryBudget((64 * 2 ** 20) / lib.device().maxBufferSize);
let peak = 0;
for (let i = 0; i < steps; i++) {
  lib.full([4 * 2 ** 20], i).mul(2);
  const m = lib.memory();
  peak = Math.max(peak, m.bytesInUse + m.bytesPooled);
  await new Promise((r) => setTimeout(r, 0));
}
console.log(
  JSON.stringify({ peak, hasGc: typeof (globalThis as { gc?: unknown }).gc }),
);
