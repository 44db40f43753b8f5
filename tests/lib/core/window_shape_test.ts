import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";
import { nn } from "../../../lib/mod.ts";
import {
  checkGroups,
  conv2dShape,
  pool2dShape,
  windowOutputSize,
} from "../../../lib/core/window_shape.ts";

Deno.test("windowOutputSize is PyTorch's formula: AlexNet's conv1 and pools, dilation", () => {
  assert.equal(windowOutputSize(224, 11, 4, 2), 55);
  assert.equal(windowOutputSize(55, 3, 2, 0), 27);
  assert.equal(windowOutputSize(13, 3, 2, 0), 6);
  assert.equal(windowOutputSize(10, 3, 1, 0, 2), 6);
  assert.equal(windowOutputSize(5, 4, 3, 1), 2);
});

Deno.test("conv2dShape and pool2dShape give the output sizes the ops produce", () => {
  const s = conv2dShape([2, 3, 224, 224], [96, 3, 11, 11], {
    stride: 4,
    padding: 2,
  });
  assert.deepEqual([s.outHeight, s.outWidth], [55, 55]);
  const y = lib.conv2d(
    lib.zeros([1, 2, 7, 5]),
    lib.zeros([4, 1, 3, 3]),
    undefined,
    {
      groups: 2,
      padding: "same",
    },
  );
  assert.deepEqual(y.shape, [1, 4, 7, 5]);
  const p = pool2dShape("maxPool2d", [2, 96, 55, 55], 3, { stride: 2 });
  assert.deepEqual([p.planes, p.outHeight, p.outWidth], [192, 27, 27]);
  assert.deepEqual(
    lib.maxPool2d(lib.zeros([1, 1, 55, 55]), 3, { stride: 2 }).shape,
    [1, 1, 27, 27],
  );
});

// One rule, one error class, one message shape: whoever checks the groups.
const GROUPS =
  /^Cannot .+ with groups 4: in channels 6 and out channels 8 must both divide by it$/;

Deno.test("the groups check throws one TypeError shape from conv2d() and from nn.Conv2d", () => {
  assert.throws(
    () => checkGroups("conv2d", 4, 6, 8),
    (e: Error) => e instanceof TypeError && GROUPS.test(e.message),
  );
  assert.throws(
    () =>
      lib.conv2d(lib.zeros([1, 6, 4, 4]), lib.zeros([8, 1, 3, 3]), undefined, {
        groups: 4,
      }),
    (e: Error) => e instanceof TypeError && GROUPS.test(e.message),
  );
  assert.throws(
    () => new nn.Conv2d(6, 8, 3, { groups: 4 }),
    (e: Error) =>
      e instanceof TypeError && GROUPS.test(e.message) &&
      e.message.startsWith("Cannot make Conv2d(6, 8) with groups 4"),
  );
  assert.throws(() => checkGroups("conv2d", 0, 6, 8), TypeError);
  assert.throws(() => checkGroups("conv2d", 1.5, 6, 8), TypeError);
});

Deno.test("a window larger than its input is a TypeError naming the op and shapes", () => {
  assert.throws(
    () => pool2dShape("avgPool2d", [1, 1, 2, 2], 3, {}),
    {
      name: "TypeError",
      message:
        "Cannot avgPool2d input [1, 1, 2, 2] with kernel [3,3]: the input is smaller than the window",
    },
  );
  assert.throws(
    () => conv2dShape([1, 1, 2, 2], [1, 1, 3, 3], {}),
    {
      name: "TypeError",
      message:
        /^Cannot conv2d input \[1, 1, 2, 2\] with a 3x3 kernel .*the output would be 0x0$/,
    },
  );
});
