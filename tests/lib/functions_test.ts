import assert from "node:assert/strict";
import * as lib from "../../lib/mod.ts";
import * as O from "./oracle.ts";
import { assertClose, gradcheck, randomData, toTensor } from "./helpers.ts";

const UNARY: [
  string,
  (x: lib.Tensor) => lib.Tensor,
  (v: number) => number,
  [number, number],
][] = [
  ["neg", (x) => x.neg(), (v) => -v, [-2, 2]],
  ["exp", (x) => x.exp(), Math.exp, [-2, 2]],
  ["log", (x) => x.log(), Math.log, [0.5, 3]],
  ["sqrt", (x) => x.sqrt(), Math.sqrt, [0.5, 3]],
  ["abs", (x) => x.abs(), Math.abs, [-2, 2]],
  ["relu", (x) => x.relu(), (v) => Math.max(v, 0), [-2, 2]],
  ["sigmoid", (x) => x.sigmoid(), (v) => 1 / (1 + Math.exp(-v)), [-4, 4]],
  ["tanh", (x) => x.tanh(), Math.tanh, [-3, 3]],
  ["square", (x) => x.square(), (v) => v * v, [-2, 2]],
];

for (const [name, gpu, f, [lo, hi]] of UNARY) {
  Deno.test(`${name}() matches the float64 reference and its gradient`, async () => {
    const x = randomData([3, 5], name.length, lo, hi);
    await assertClose(gpu(toTensor(x)), O.map(f, x), {
      atol: 1e-5,
      rtol: 1e-5,
    });
    // relu and abs have a kink at 0: random inputs avoid it almost surely.
    await gradcheck([x], gpu, (a) => O.map(f, a));
  });
}

const BINARY: [
  string,
  (a: lib.Tensor, b: lib.Tensor) => lib.Tensor,
  (a: number, b: number) => number,
][] = [
  ["add", (a, b) => a.add(b), (a, b) => a + b],
  ["sub", (a, b) => a.sub(b), (a, b) => a - b],
  ["mul", (a, b) => a.mul(b), (a, b) => a * b],
  ["div", (a, b) => a.div(b), (a, b) => a / b],
  ["maximum", (a, b) => a.maximum(b), Math.max],
  ["minimum", (a, b) => a.minimum(b), Math.min],
];

for (const [name, gpu, f] of BINARY) {
  Deno.test(`${name}() broadcasts [4, 1, 3] with [2, 1] and gets both gradients`, async () => {
    const a = randomData([4, 1, 3], 1);
    const b = randomData(
      [2, 1],
      2,
      name === "div" ? 0.5 : -1,
      name === "div" ? 2 : 1,
    );
    const y = gpu(toTensor(a), toTensor(b));
    assert.deepEqual(y.shape, [4, 2, 3]);
    await assertClose(y, O.map(f, a, b));
    await gradcheck([a, b], gpu, (x, z) => O.map(f, x, z));
  });
}

Deno.test("pow() with a tensor exponent and a scalar, negative bases with integer powers", async () => {
  const a = randomData([6], 3, 0.5, 2);
  const b = randomData([6], 4, -1, 2);
  await assertClose(toTensor(a).pow(toTensor(b)), O.map(Math.pow, a, b), {
    rtol: 1e-4,
  });
  await gradcheck([a, b], (x, y) => x.pow(y), (x, y) => O.map(Math.pow, x, y));
  const negative = lib.tensor([-2, -1.5, 0, 3]);
  await assertClose(negative.pow(3), [-8, -3.375, 0, 27], { rtol: 1e-5 });
  await assertClose(negative.pow(2), [4, 2.25, 0, 9], { rtol: 1e-5 });
  assert.ok(Number.isNaN((await negative.pow(0.5).data())[0]));
  await assertClose(negative.pow(0), [1, 1, 1, 1]);
});

Deno.test("scalar operands: x * 2 + 1, 1 where x > 0", async () => {
  const x = lib.tensor([[-1, 0.5], [2, 0]]);
  await assertClose(x.mul(2).add(1), [-1, 2, 5, 1]);
  await assertClose(x.gt(0), [0, 1, 1, 0]);
  await assertClose(x.le(0.5), [1, 1, 0, 1]);
  await assertClose(x.eq(lib.tensor([-1, 0])), [1, 0, 0, 1]);
  await gradcheck(
    [randomData([3], 5)],
    (t) => t.mul(3).sub(1).div(2),
    (t) => O.map((v) => (3 * v - 1) / 2, t),
  );
});

Deno.test("clamp() and where() with gradients", async () => {
  const x = randomData([2, 4], 6, -2, 2);
  await assertClose(
    toTensor(x).clamp(-0.5, 1),
    O.map((v) => Math.min(Math.max(v, -0.5), 1), x),
  );
  await gradcheck(
    [x],
    (t) => t.clamp(-0.5, 1),
    (t) => O.map((v) => Math.min(Math.max(v, -0.5), 1), t),
  );
  const cond = lib.tensor([1, 0, 1, 0]);
  const a = randomData([4], 7);
  const b = randomData([2, 1], 8);
  const c = O.nd([4], [1, 0, 1, 0]);
  await assertClose(
    lib.where(cond, toTensor(a), toTensor(b)),
    O.map((k, x, y) => k ? x : y, c, a, b),
  );
  await gradcheck(
    [a, b],
    (x, y) => lib.where(cond, x, y),
    (x, y) => O.map((k, p, q) => k ? p : q, c, x, y),
  );
});

Deno.test("broadcasting mismatch names the op, both shapes and the dim", () => {
  assert.throws(
    () => lib.ones([2, 3]).add(lib.ones([4, 3])),
    (e: Error) =>
      e instanceof TypeError &&
      /add shapes \[2, 3\] and \[4, 3\].*sizes 2 and 4 at dim -2/.test(
        e.message,
      ),
  );
});

Deno.test("sum() and mean() over any dims with keepdim, and their gradients", async () => {
  const x = randomData([2, 3, 4, 5], 9);
  for (const dims of [[0], [1], [3], [1, 2], [0, 2], [0, 1, 2, 3]]) {
    for (const keepdim of [false, true]) {
      const y = toTensor(x).sum(dims, { keepdim });
      await assertClose(
        y,
        O.sum(x, dims, keepdim),
        { atol: 1e-4 },
        `sum over [${dims}] keepdim ${keepdim}`,
      );
    }
  }
  await assertClose(toTensor(x).mean(), [O.sum(x).data[0] / 120], {
    atol: 1e-5,
  });
  await gradcheck(
    [randomData([3, 4], 10)],
    (t) => t.sum(1),
    (t) => O.sum(t, [1]),
  );
  await gradcheck(
    [randomData([3, 4], 11)],
    (t) => t.mean([0, 1], { keepdim: true }),
    (t) => {
      const s = O.sum(t, [0, 1], true);
      return O.map((v) => v / 12, s);
    },
  );
});

Deno.test("sum() of a long vector stays accurate (workgroup reduction)", async () => {
  const x = randomData([200_000], 12, 0, 1);
  const expected = x.data.reduce((a, b) => a + Number(Math.fround(b)), 0);
  await assertClose(toTensor(x).sum(), [expected], { rtol: 1e-5 });
});

Deno.test("max() and min() along a dim give values, indices and a gradient to the winner", async () => {
  const x = randomData([3, 7, 2], 13);
  for (const dim of [0, 1, 2]) {
    const { values, indices } = toTensor(x).max(dim);
    const expected = O.extreme(x, dim, true);
    await assertClose(values, expected.values);
    await assertClose(indices, expected.indices.data, { atol: 0 });
    const low = toTensor(x).min(dim);
    await assertClose(low.indices, O.extreme(x, dim, false).indices.data, {
      atol: 0,
    });
  }
  await assertClose(toTensor(x).argmax(1), O.extreme(x, 1, true).indices.data, {
    atol: 0,
  });
  await gradcheck(
    [x],
    (t) => t.max(1).values,
    (t) => O.extreme(t, 1, true).values,
  );
  assert.equal(
    await toTensor(x).max().item(),
    Math.fround(Math.max(...x.data)),
  );
  const big = randomData([5000], 14);
  assert.equal(
    await toTensor(big).argmax().item(),
    O.extreme(big, 0, true).indices.data[0],
  );
});

Deno.test("var() is unbiased by default; correction 0 gives the population variance", async () => {
  const x = randomData([4, 6], 15);
  const mean = O.map((v) => v / 6, O.sum(x, [1], true));
  const sq = O.sum(O.map((v, m) => (v - m) ** 2, x, mean), [1]);
  await assertClose(toTensor(x).var(1), O.map((v) => v / 5, sq));
  await assertClose(
    toTensor(x).var(1, { correction: 0 }),
    O.map((v) => v / 6, sq),
  );
  await gradcheck([x], (t) => t.var(1), (t) => {
    const m = O.map((v) => v / 6, O.sum(t, [1], true));
    return O.map(
      (v) => v / 5,
      O.sum(O.map((v, mm) => (v - mm) ** 2, t, m), [1]),
    );
  });
});

Deno.test("permute(), transpose() and their gradients; reshape() shares data", async () => {
  const x = randomData([2, 3, 4], 16);
  await assertClose(toTensor(x).permute(2, 0, 1), O.permute(x, [2, 0, 1]));
  await assertClose(toTensor(x).transpose(0, 2), O.permute(x, [2, 1, 0]));
  await gradcheck(
    [x],
    (t) => t.permute([1, 2, 0]),
    (t) => O.permute(t, [1, 2, 0]),
  );
  const r = toTensor(x).reshape(4, -1);
  assert.deepEqual(r.shape, [4, 6]);
  await assertClose(r, x.data);
  assert.throws(
    () => toTensor(x).reshape(5, 5),
    /Cannot reshape \[2, 3, 4\] \(24 elements\) to \[5, 5\]/,
  );
  assert.deepEqual(toTensor(x).flatten(1).shape, [2, 12]);
  assert.deepEqual(toTensor(x).unsqueeze(1).shape, [2, 1, 3, 4]);
  assert.deepEqual(lib.ones([1, 3, 1]).squeeze().shape, [3]);
});

Deno.test("slice() with indices, ranges and steps, strings too, and its gradient", async () => {
  const x = randomData([4, 5, 6], 17);
  const y = toTensor(x).slice(1, "1:4", [0, 6, 2]);
  assert.deepEqual(y.shape, [3, 3]);
  const expected: number[] = [];
  for (let j = 1; j < 4; j++) {
    for (let k = 0; k < 6; k += 2) expected.push(x.data[1 * 30 + j * 6 + k]);
  }
  await assertClose(y, expected);
  await assertClose(
    toTensor(x).slice(null, -1),
    O.permute(x, [0, 1, 2]).data.filter((_, i) => i % 30 >= 24),
  );
  await gradcheck([x], (t) => t.slice(":", [1, 5, 3]), (t) => {
    const out: number[] = [];
    for (let i = 0; i < 4; i++) {
      for (const j of [1, 4]) {
        for (let k = 0; k < 6; k++) out.push(t.data[i * 30 + j * 6 + k]);
      }
    }
    return O.nd([4, 2, 6], out);
  });
  assert.throws(
    () => toTensor(x).slice(4),
    /Cannot index 4 at dim 0 of size 4/,
  );
});

Deno.test("pad() and cat()/stack() with gradients", async () => {
  const x = randomData([2, 3], 18);
  const padded = lib.pad(toTensor(x), [1, 2, 0, 1], -1);
  assert.deepEqual(padded.shape, [3, 6]);
  const rows = await padded.toArray() as number[][];
  assert.deepEqual(rows[2], [-1, -1, -1, -1, -1, -1]);
  assert.equal(rows[0][0], -1);
  assert.equal(rows[0][1], Math.fround(x.data[0]));
  await gradcheck([x], (t) => lib.pad(t, [1, 1]), (t) => {
    const out: number[] = [];
    for (let i = 0; i < 2; i++) {
      out.push(0, ...t.data.slice(i * 3, i * 3 + 3), 0);
    }
    return O.nd([2, 5], out);
  });
  const a = randomData([2, 3], 19);
  const b = randomData([2, 2], 20);
  const joined = lib.cat([toTensor(a), toTensor(b)], 1);
  assert.deepEqual(joined.shape, [2, 5]);
  await assertClose(joined, [
    ...a.data.slice(0, 3),
    ...b.data.slice(0, 2),
    ...a.data.slice(3),
    ...b.data.slice(2),
  ]);
  await gradcheck([a, b], (p, q) => lib.cat([p, q], 1), (p, q) => {
    const out: number[] = [];
    for (let i = 0; i < 2; i++) {
      out.push(
        ...p.data.slice(i * 3, i * 3 + 3),
        ...q.data.slice(i * 2, i * 2 + 2),
      );
    }
    return O.nd([2, 5], out);
  });
  assert.deepEqual(lib.stack([toTensor(a), toTensor(a)], 1).shape, [2, 2, 3]);
  assert.throws(
    () => lib.cat([toTensor(a), toTensor(b)], 0),
    /Cannot cat shapes \[2, 3\] and \[2, 2\] along dim 0/,
  );
});

Deno.test("expand() broadcasts size-1 dims and sums the gradient back", async () => {
  const x = randomData([3, 1], 21);
  await assertClose(
    toTensor(x).expand(2, 3, 4),
    O.map((v) => v, x, O.nd([2, 3, 4], new Array(24).fill(0))),
  );
  await gradcheck(
    [x],
    (t) => t.expand([3, 4]),
    (t) => O.map((v) => v, t, O.nd([3, 4], new Array(12).fill(0))),
  );
});
