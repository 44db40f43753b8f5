// Pooling and conv window settings are checked before dispatch, so a bad
// one raises on its own op, not as a GPUValidationError on a later readback.
import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";
import { nn } from "../../../lib/mod.ts";

Deno.test("maxPool2d rejects stride 0, kernel 0, stride [1, 0] and negative padding", async () => {
  const x = lib.ones([1, 1, 4, 4]);
  assert.throws(() => lib.maxPool2d(x, 2, { stride: 0 }), RangeError);
  assert.throws(() => lib.maxPool2d(x, 0), RangeError);
  assert.throws(() => lib.maxPool2d(x, 2, { stride: [1, 0] }), RangeError);
  assert.throws(
    () => lib.maxPool2d(x, 2, { padding: -1 }),
    /padding \[-1,-1\]: it must be 0 or more/,
  );
  assert.throws(() => lib.maxPool2d(x, 2, { padding: 2 }), /at most half/);
  // Nothing was left pending on the GPU.
  assert.deepEqual(await lib.maxPool2d(x, 2).toArray(), [[[[1, 1], [1, 1]]]]);
});

Deno.test("Conv2d rejects a kernel of 0 before making a weight", () => {
  assert.throws(() => new nn.Conv2d(1, 1, 0), /kernelSize \[0,0\]/);
  assert.throws(() => new nn.Conv2d(1, 1, [3, 0]), RangeError);
  assert.throws(
    () => lib.conv2d(lib.ones([1, 1, 4, 4]), lib.ones([1, 1, 0, 3])),
    /0x3 kernel/,
  );
});
