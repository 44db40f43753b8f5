// A texture staged from a buffer serves again only while nothing may have
// written the buffer: after an in-place update, an upload into it, or its
// return to the pool and reuse by another tensor, a product must read the
// new values. Both ways of binding the textures match the oracle.
import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";
import { fusedInPlace } from "../../../lib/ops/elementwise.ts";
import {
  setTextureAccess,
  textureAccess,
} from "../../../lib/device/texture_staging.ts";
import { tuning } from "../../../lib/device/tuning.ts";
import { checkConv, checkMatmul } from "./_gemm_checks.ts";
import { SMALL_TILES, withTuning } from "./_helpers.ts";

const N = 8;

/** a @ w as plain numbers, rows of a by columns of w (both N x N). */
function product(a: Float32Array, w: Float32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < N; k++) sum += a[i * N + k] * w[k * N + j];
      out.push(sum);
    }
  }
  return out;
}

function assertClose(got: Float32Array, want: number[], what: string) {
  want.forEach((v, i) =>
    assert.ok(Math.abs(got[i] - v) < 1e-4, `${what} at ${i}: ${got[i]} vs ${v}`)
  );
}

const values = (seed: number) =>
  Float32Array.from({ length: N * N }, (_, i) => Math.sin(i * 0.37 + seed));

Deno.test("matmul operands staged in textures stay in step with their buffers", async () => {
  assert.equal(tuning.source, "texture", "lavapipe stages its operands");
  const a = lib.tensor(values(1), { shape: [N, N] });
  const wValues = values(2);
  const w = lib.tensor(wValues, { shape: [N, N] });
  // the same operand twice in a row: one staging serves both
  assertClose(
    await lib.matmul(a, w).data(),
    product(values(1), wValues),
    "first",
  );
  assertClose(
    await lib.matmul(a, w).data(),
    product(values(1), wValues),
    "again",
  );

  // an in-place update of w (as SGD's) must be seen by the next product
  const grad = lib.tensor(values(3), { shape: [N, N] });
  fusedInPlace("sgdStep", w, [grad], [0.5, 0]);
  const updated = await w.data();
  assertClose(
    await lib.matmul(a, w).data(),
    product(values(1), updated),
    "after update",
  );

  // a buffer back in the pool and reused by a new tensor with new values
  w.dispose();
  const fresh = values(4);
  const w2 = lib.tensor(fresh, { shape: [N, N] });
  assertClose(
    await lib.matmul(a, w2).data(),
    product(values(1), fresh),
    "reused buffer",
  );
  [a, grad, w2].forEach((t) => t.dispose());
});

Deno.test("staged operands read as sampled textures give the oracle's products too", async () => {
  // storage textures are the default where WGSL has them; adapters without
  // read only sampled ones, so that way must stay right as well
  const previous = setTextureAccess("sampled");
  try {
    await withTuning(SMALL_TILES, async () => {
      await checkMatmul({ batch: 1, m: 33, n: 36, k: 20 }, true);
      await checkMatmul({ batch: 2, m: 36, n: 40, k: 12, transA: true });
      await checkConv({ batch: 2, c: 5, h: 7, w: 9, oc: 40, k: 3, pad: 1 });
    });
  } finally {
    setTextureAccess(previous);
  }
  assert.equal(textureAccess(), previous);
});
