// The dispatch observer that bench/profile.ts times kernels with: every
// dispatch is reported once, in recording order, whether it binds only
// buffers (recorder.dispatch) or textures too (tiled_dispatch.ts).
import { deepStrictEqual } from "node:assert";
import * as lib from "../../../lib/mod.ts";
import { observeDispatches } from "../../../lib/device/recorder.ts";

Deno.test("observeDispatches reports buffer and texture dispatches in order, then stops", async () => {
  const a = lib.randn([40, 36]);
  const b = lib.randn([36, 44]);
  await lib.synchronize();
  const seen: string[] = [];
  observeDispatches((label) => seen.push(label));
  let product: lib.Tensor, relu: lib.Tensor;
  try {
    product = a.matmul(b); // lavapipe stages its operands in textures
    relu = product.relu();
  } finally {
    observeDispatches(undefined);
  }
  await relu.data();
  deepStrictEqual(seen, ["matmul", "relu"]);
  relu.neg().dispose(); // no observer now
  deepStrictEqual(seen.length, 2);
  for (const t of [a, b, product, relu]) t.dispose();
});
