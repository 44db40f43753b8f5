import assert from "node:assert/strict";
import * as lib from "../../lib/mod.ts";
import * as O from "./oracle.ts";
import { assertClose, gradcheck, randomData, toTensor } from "./helpers.ts";

// Float32 GEMMs over inner size k: errors grow like sqrt(k) * eps * |values|.
const GEMM = { atol: 1e-4, rtol: 1e-3 };

Deno.test("matmul() 2-D, batched, broadcast batch and vector operands", async () => {
  const cases: [number[], number[]][] = [
    [[1, 1], [1, 1]],
    [[5, 7], [7, 3]],
    [[17, 33], [33, 9]],
    [[3, 4, 6], [3, 6, 5]],
    [[2, 4, 6], [6, 5]],
    [[4, 6], [3, 6, 2]],
    [[2, 1, 3, 4], [5, 4, 2]],
  ];
  for (const [sa, sb] of cases) {
    const a = randomData(sa, sa.length + sa[0]);
    const b = randomData(sb, sb.length + sb[0] + 50);
    await assertClose(
      toTensor(a).matmul(toTensor(b)),
      O.matmul(a, b),
      GEMM,
      `[${sa}] @ [${sb}]`,
    );
  }
  const v = randomData([4], 1);
  const m = randomData([4, 3], 2);
  const vm = lib.matmul(toTensor(v), toTensor(m));
  assert.deepEqual(vm.shape, [3]);
  await assertClose(vm, O.matmul(O.nd([1, 4], v.data), m).data, GEMM);
  assert.deepEqual(lib.matmul(toTensor(m).T, toTensor(v)).shape, [3]);
  assert.equal(lib.matmul(toTensor(v), toTensor(v)).ndim, 0);
});

Deno.test("matmul() with a large inner dimension (AlexNet's 6400 -> 4096 head, 2 rows)", async () => {
  const a = randomData([2, 6400], 3);
  const b = randomData([6400, 64], 4);
  await assertClose(toTensor(a).matmul(toTensor(b)), O.matmul(a, b), {
    atol: 1e-3,
    rtol: 1e-3,
  });
});

Deno.test("matmul() gradients: plain, batched and with a shared operand", async () => {
  await gradcheck(
    [randomData([3, 4], 5), randomData([4, 2], 6)],
    (a, b) => a.matmul(b),
    O.matmul,
  );
  await gradcheck(
    [randomData([2, 3, 4], 7), randomData([2, 4, 2], 8)],
    (a, b) => a.matmul(b),
    O.matmul,
  );
  await gradcheck(
    [randomData([2, 3, 4], 9), randomData([4, 2], 10)],
    (a, b) => a.matmul(b),
    O.matmul,
  );
  await gradcheck(
    [randomData([3, 4], 11), randomData([2, 4, 2], 12)],
    (a, b) => a.matmul(b),
    O.matmul,
  );
});

Deno.test("matmul() shape errors name both shapes and the inner sizes", () => {
  assert.throws(
    () => lib.ones([2, 3]).matmul(lib.ones([4, 5])),
    (e: Error) =>
      e instanceof TypeError &&
      e.message ===
        "Cannot matmul shapes [2, 3] and [4, 5]: inner sizes 3 and 4 differ",
  );
});

Deno.test("linear() is x @ W^T + b with gradients for all three", async () => {
  const x = randomData([5, 3], 13);
  const w = randomData([4, 3], 14);
  const b = randomData([4], 15);
  const reference = (p: O.Nd, q: O.Nd, r: O.Nd) =>
    O.map((u, v) => u + v, O.matmul(p, O.permute(q, [1, 0])), r);
  await assertClose(
    lib.linear(toTensor(x), toTensor(w), toTensor(b)),
    reference(x, w, b),
    GEMM,
  );
  await gradcheck([x, w, b], (p, q, r) => lib.linear(p, q, r), reference);
  assert.throws(
    () => lib.linear(lib.ones([2, 5]), lib.ones([4, 3])),
    /last dim 5 is not in_features 3/,
  );
});

const CONVS: {
  name: string;
  x: number[];
  w: number[];
  options: lib.Conv2dOptions;
  seed: number;
}[] = [
  {
    name: "3x3 padding 1",
    x: [2, 3, 7, 6],
    w: [4, 3, 3, 3],
    options: { padding: 1 },
    seed: 1,
  },
  {
    name: "stride 2, no padding",
    x: [1, 2, 9, 9],
    w: [3, 2, 3, 3],
    options: { stride: 2 },
    seed: 2,
  },
  {
    name: "dilation 2",
    x: [1, 2, 8, 8],
    w: [2, 2, 3, 3],
    options: { dilation: 2, padding: 2 },
    seed: 3,
  },
  {
    name: "groups 2",
    x: [2, 4, 5, 5],
    w: [6, 2, 3, 3],
    options: { groups: 2, padding: 1 },
    seed: 4,
  },
  { name: "1x1", x: [3, 5, 4, 4], w: [7, 5, 1, 1], options: {}, seed: 5 },
  {
    name: "non-square kernel and stride",
    x: [1, 2, 7, 9],
    w: [3, 2, 2, 4],
    options: { stride: [2, 1], padding: [1, 0] },
    seed: 6,
  },
];

function oracleOptions(o: lib.Conv2dOptions): O.ConvParams {
  const pair = (
    v: number | [number, number] | undefined,
    d: number,
  ): [number, number] =>
    v === undefined ? [d, d] : typeof v === "number" ? [v, v] : v;
  return {
    stride: pair(o.stride, 1),
    padding: pair(o.padding as number | [number, number] | undefined, 0),
    dilation: pair(o.dilation, 1),
    groups: o.groups ?? 1,
  };
}

for (const c of CONVS) {
  Deno.test(`conv2d() ${c.name}: forward and gradients of input, weight and bias`, async () => {
    const x = randomData(c.x, c.seed);
    const w = randomData(c.w, c.seed + 10);
    const b = randomData([c.w[0]], c.seed + 20);
    const p = oracleOptions(c.options);
    await assertClose(
      lib.conv2d(toTensor(x), toTensor(w), toTensor(b), c.options),
      O.conv2d(x, w, b, p),
      GEMM,
    );
    await gradcheck(
      [x, w, b],
      (xs, ws, bs) => lib.conv2d(xs, ws, bs, c.options),
      (xs, ws, bs) => O.conv2d(xs, ws, bs, p),
    );
  });
}

Deno.test("conv2d() on AlexNet's first layer: 1x224x224 -> 96x54x54", async () => {
  const x = randomData([1, 1, 224, 224], 30);
  const w = randomData([96, 1, 11, 11], 31, -0.1, 0.1);
  const y = lib.conv2d(toTensor(x), toTensor(w), undefined, {
    stride: 4,
    padding: 1,
  });
  assert.deepEqual(y.shape, [1, 96, 54, 54]);
  await assertClose(
    y,
    O.conv2d(x, w, undefined, oracleOptions({ stride: 4, padding: 1 })),
    GEMM,
  );
});

Deno.test("conv2d() errors name the channel mismatch", () => {
  assert.throws(
    () => lib.conv2d(lib.ones([1, 3, 8, 8]), lib.ones([4, 2, 3, 3])),
    /the input has 3 channels, the weight expects 2/,
  );
  assert.throws(
    () => lib.conv2d(lib.ones([3, 8, 8]), lib.ones([4, 3, 3, 3])),
    /need 4-D \[N, C, H, W\]/,
  );
});

for (const kind of ["max", "avg"] as const) {
  Deno.test(`${kind}Pool2d() forward and gradient, overlapping windows and padding`, async () => {
    const fn = kind === "max" ? lib.maxPool2d : lib.avgPool2d;
    for (
      // the backward reads 4 pixels of a row per invocation: widths past a
      // multiple of 4, windows with gaps between them (k2 s3), wide ones
      const [shape, k, s, p] of [
        [[2, 3, 7, 7], 3, 2, 0],
        [[1, 2, 6, 5], 2, 2, 1],
        [[1, 1, 5, 5], 3, 1, 1],
        [[1, 2, 9, 10], 2, 3, 0],
        [[1, 1, 9, 11], 5, 2, 2],
      ] as const
    ) {
      const x = randomData([...shape], shape[2] + k);
      const y = fn(toTensor(x), k, { stride: s, padding: p });
      await assertClose(y, O.pool2d(x, kind, [k, k], [s, s], [p, p]));
      await gradcheck(
        [x],
        (t) => fn(t, k, { stride: s, padding: p }),
        (t) => O.pool2d(t, kind, [k, k], [s, s], [p, p]),
      );
    }
  });
}

for (const kind of ["max", "avg"] as const) {
  Deno.test(`${kind}Pool2d() with a non-square window, stride and padding`, async () => {
    const fn = kind === "max" ? lib.maxPool2d : lib.avgPool2d;
    const x = randomData([2, 2, 7, 6], 77);
    const options = {
      stride: [2, 1] as [number, number],
      padding: [1, 0] as [number, number],
    };
    const y = fn(toTensor(x), [3, 2], options);
    await assertClose(y, O.pool2d(x, kind, [3, 2], [2, 1], [1, 0]));
    await gradcheck(
      [x],
      (t) => fn(t, [3, 2], options),
      (t) => O.pool2d(t, kind, [3, 2], [2, 1], [1, 0]),
    );
  });
}

Deno.test("maxPool2d() passes a NaN in its window on, as PyTorch does", async () => {
  const x = lib.tensor([[[[1, NaN, 3], [2, 5, 0], [4, 1, 2]]]]);
  const y = await lib.maxPool2d(x, 2, { stride: 1 }).data();
  assert.ok(Number.isNaN(y[0]) && Number.isNaN(y[1]), `got ${y}`);
  assert.deepEqual(Array.from(y.slice(2)), [5, 5]);
});

// Ties go to the first maximum of a window (row by row), as in PyTorch; the
// forward runs 4 outputs of a row per invocation, which share columns.
Deno.test("maxPool2d() gives a tie's gradient to the window's first maximum", async () => {
  for (const width of [9, 11]) {
    const x = lib.ones([1, 1, 5, width]).requiresGrad_(true);
    lib.sum(lib.maxPool2d(x, 3, { stride: 2 })).backward();
    const grad = await x.grad!.data();
    const ow = Math.floor((width - 3) / 2) + 1;
    const want = new Array(5 * width).fill(0);
    for (let oy = 0; oy < 2; oy++) {
      for (let ox = 0; ox < ow; ox++) want[2 * oy * width + 2 * ox] += 1;
    }
    assert.deepEqual(Array.from(grad), want, `width ${width}`);
  }
});

Deno.test("maxPool2d() follows AlexNet's overlapping pooling: 96x54x54 -> 96x26x26", () => {
  assert.deepEqual(
    lib.maxPool2d(lib.zeros([1, 96, 54, 54]), 3, { stride: 2 }).shape,
    [1, 96, 26, 26],
  );
});

Deno.test("dropout() zeroes about p, scales the rest, is seeded, and is the identity in eval", async () => {
  const x = lib.ones([10000]);
  lib.manualSeed(5);
  const y = await lib.dropout(x, { p: 0.3 }).data();
  const zeros = y.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / 10000 - 0.3) < 0.03, `dropped ${zeros}`);
  assert.ok(y.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6));
  lib.manualSeed(5);
  assert.deepEqual(await lib.dropout(x, { p: 0.3 }).data(), y);
  assert.equal(lib.dropout(x, { p: 0.3, training: false }), x);
  const w = lib.ones([100], { requiresGrad: true });
  const out = lib.dropout(w, { p: 0.5 });
  out.sum().backward();
  assert.deepEqual(await w.grad!.data(), await out.data());
});
