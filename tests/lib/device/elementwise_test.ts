import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";
import { bindingLimit } from "../../../lib/device/recorder.ts";
import { fusedInPlace } from "../../../lib/ops/elementwise.ts";
import { tuning, tuningFor } from "../../../lib/device/tuning.ts";

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

// Arithmetic expressions over inputs of the output's shape run a vec4 per
// invocation when the size is a multiple of 4; the values must be the
// scalar kernel's, in place and not, and a fill (scalars only) must splat.
Deno.test("vec4 elementwise kernels give the scalar kernel's values", async () => {
  for (const n of [12, 7, 4096]) {
    const p = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
    const g = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.7));
    const w = lib.tensor(p);
    const grad = lib.tensor(g);
    // SGD's update: p -= lr * (grad + weightDecay * p)
    fusedInPlace("sgdStep", w, [grad], [0.1, 0.01]);
    const got = await w.data();
    for (let i = 0; i < n; i++) {
      // a - s0 * (b + s1 * a) in float32, in the kernel's order
      const f = Math.fround;
      const want = f(p[i] - f(f(0.1) * f(g[i] + f(f(0.01) * p[i]))));
      assert.ok(
        Math.abs(got[i] - want) <= 1e-6 * Math.max(1, Math.abs(want)),
        `n ${n}, index ${i}: ${got[i]} vs ${want}`,
      );
    }
    const ratio = lib.div(lib.tensor(p), lib.add(lib.tensor(g), 2));
    const values = await ratio.data();
    values.forEach((v, i) =>
      assert.ok(Math.abs(v - p[i] / (g[i] + 2)) < 1e-6, `div ${n} at ${i}`)
    );
    const filled = await lib.full([n], 2.5).data();
    assert.deepEqual([...filled], new Array(n).fill(2.5));
    [w, grad, ratio].forEach((t) => t.dispose());
  }
});

// Every expression runs four elements a slot when no input is read by
// strides, the expression once per lane: selects, NaN tests and the
// element index must see their own lane, and a one-element input splats.
Deno.test("vec4 slots run selects, NaN tests and splats per lane", async () => {
  const own = tuning.elementwise;
  try {
    // both adapters' grids, on any adapter
    for (const kind of ["cpu", "gpu"] as const) {
      tuning.elementwise = tuningFor(kind).elementwise;
      await lanesAreTheirOwn();
    }
  } finally {
    tuning.elementwise = own;
  }
});

async function lanesAreTheirOwn(): Promise<void> {
  // 8 and 4096 elements, and 4100: a block of the lavapipe grid part full
  for (const n of [8, 4096, 4100]) {
    const values = Float32Array.from(
      { length: n },
      (_, i) => i % 7 === 3 ? NaN : Math.sin(i) * 2,
    );
    const x = lib.tensor(values, { requiresGrad: true });
    const y = lib.relu(x);
    const floor = lib.maximum(x, lib.tensor([0.5]));
    lib.sum(y).backward();
    const [relu, max, grad] = await Promise.all(
      [y, floor, x.grad!].map((t) => t.data()),
    );
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (Number.isNaN(v)) {
        assert.ok(Number.isNaN(relu[i]) && Number.isNaN(max[i]), `NaN at ${i}`);
        continue;
      }
      assert.equal(relu[i], Math.max(v, 0), `relu at ${i}`);
      assert.equal(max[i], Math.max(v, 0.5), `maximum at ${i}`);
      assert.equal(grad[i], v > 0 ? 1 : 0, `relu gradient at ${i}`);
    }
    const eye = await lib.eye(n === 8 ? 4 : 64).data();
    const side = n === 8 ? 4 : 64;
    eye.forEach((v, k) =>
      assert.equal(v, Math.floor(k / side) === k % side ? 1 : 0, `eye ${k}`)
    );
    [x, y, floor].forEach((t) => t.dispose());
  }
}
