import assert from "node:assert/strict";
import { conv2d, ones, zeros } from "../../../lib/mod.ts";
import { bindingLimit } from "../../../lib/device/recorder.ts";

// Rows of 1024 floats, one row more than one binding holds.
const rows = Math.floor(bindingLimit / 4 / 1024) + 1;

Deno.test("matmul with an operand larger than one binding fails before dispatch, naming the op and the limit", () => {
  const big = ones([rows, 1024]);
  const small = ones([1024, 2]);
  const wide = ones([2, rows]);
  try {
    assert.throws(
      () => big.matmul(small),
      (error: Error) =>
        error instanceof RangeError &&
        error.message.startsWith(
          `Cannot matmul: the first operand [${rows}, 1024] takes`,
        ) && error.message.includes("one binding holds"),
    );
    assert.throws(() => wide.matmul(big), {
      name: "RangeError",
      message: /Cannot matmul: the second operand/,
    });
  } finally {
    big.dispose();
    small.dispose();
    wide.dispose();
  }
});

Deno.test("conv2d with an output larger than one binding fails before dispatch", () => {
  const x = zeros([1, 1, rows, 1024]);
  const w = ones([2, 1, 1, 1]);
  try {
    assert.throws(() => conv2d(x, w), {
      name: "RangeError",
      message: /Cannot conv2d: the input .* one binding holds/,
    });
  } finally {
    x.dispose();
    w.dispose();
  }
});
