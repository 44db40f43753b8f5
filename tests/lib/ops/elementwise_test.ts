// Every row of the elementwise op list against a float64 oracle. The oracle
// tables are keyed by the op types, so an op added to lib/ops/elementwise.ts
// fails to compile here until it has its oracle: adding an op touches the
// list, this file and, if public, one export line.
import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";
import {
  binary,
  type BinaryOp,
  FUSED,
  fused,
  type FusedOp,
  unary,
  type UnaryOp,
} from "../../../lib/ops/elementwise.ts";
import * as O from "../oracle.ts";
import { assertClose, gradcheck, randomData, toTensor } from "../helpers.ts";

/** A unary op's float64 function, the input range it is tested on, and whether it has a gradient. */
const UNARY_ORACLE: Record<
  UnaryOp,
  { f: (v: number) => number; range: [number, number]; grad: boolean }
> = {
  neg: { f: (v) => -v, range: [-2, 2], grad: true },
  exp: { f: Math.exp, range: [-2, 2], grad: true },
  log: { f: Math.log, range: [0.5, 3], grad: true },
  sqrt: { f: Math.sqrt, range: [0.5, 3], grad: true },
  abs: { f: Math.abs, range: [-2, 2], grad: true },
  relu: { f: (v) => Math.max(v, 0), range: [-2, 2], grad: true },
  sigmoid: { f: (v) => 1 / (1 + Math.exp(-v)), range: [-4, 4], grad: true },
  tanh: { f: Math.tanh, range: [-3, 3], grad: true },
  sign: { f: Math.sign, range: [-2, 2], grad: false },
  square: { f: (v) => v * v, range: [-2, 2], grad: true },
};

for (const [op, { f, range, grad }] of Object.entries(UNARY_ORACLE)) {
  Deno.test(`unary op ${op} matches its oracle${grad ? " and its gradient" : ""}`, async () => {
    const x = randomData([2, 7], op.length + 11, ...range);
    await assertClose(unary(op as UnaryOp, toTensor(x)), O.map(f, x));
    if (grad) {
      await gradcheck([x], (t) => unary(op as UnaryOp, t), (a) => O.map(f, a));
    } else {
      assert.equal(unary(op as UnaryOp, toTensor(x, true)).requiresGrad, false);
    }
  });
}

/** A binary op's float64 function, the range of its second operand, and whether it has gradients. */
const BINARY_ORACLE: Record<
  BinaryOp,
  { f: (a: number, b: number) => number; b: [number, number]; grad: boolean }
> = {
  add: { f: (a, b) => a + b, b: [-1, 1], grad: true },
  sub: { f: (a, b) => a - b, b: [-1, 1], grad: true },
  mul: { f: (a, b) => a * b, b: [-1, 1], grad: true },
  div: { f: (a, b) => a / b, b: [0.5, 2], grad: true },
  pow: { f: Math.pow, b: [-1, 2], grad: true },
  maximum: { f: Math.max, b: [-1, 1], grad: true },
  minimum: { f: Math.min, b: [-1, 1], grad: true },
  eq: { f: (a, b) => Number(a === b), b: [-1, 1], grad: false },
  ne: { f: (a, b) => Number(a !== b), b: [-1, 1], grad: false },
  lt: { f: (a, b) => Number(a < b), b: [-1, 1], grad: false },
  le: { f: (a, b) => Number(a <= b), b: [-1, 1], grad: false },
  gt: { f: (a, b) => Number(a > b), b: [-1, 1], grad: false },
  ge: { f: (a, b) => Number(a >= b), b: [-1, 1], grad: false },
};

for (const [op, { f, b: range, grad }] of Object.entries(BINARY_ORACLE)) {
  Deno.test(`binary op ${op} broadcasts and matches its oracle${grad ? " and both gradients" : ""}`, async () => {
    // Positive bases keep pow real; equal values make the comparisons tie.
    const a = randomData([3, 1, 4], 5, op === "pow" ? 0.5 : -1, 2);
    const b = randomData([2, 1], 6, ...range);
    const run = (x: lib.Tensor, y: lib.Tensor) => binary(op as BinaryOp, x, y);
    await assertClose(run(toTensor(a), toTensor(b)), O.map(f, a, b), {
      rtol: 1e-4,
    });
    const scalar = binary(op as BinaryOp, toTensor(a), 0.75);
    await assertClose(scalar, O.map((v) => f(v, 0.75), a), { rtol: 1e-4 });
    if (grad) await gradcheck([a, b], run, (x, y) => O.map(f, x, y));
    const ties = binary(op as BinaryOp, lib.tensor([1, 2]), lib.tensor([1, 3]));
    await assertClose(ties, [f(1, 1), f(2, 3)], { rtol: 1e-5 });
  });
}

/**
 * A fused op's float64 meaning: element `i` from its inputs' values at i
 * (all of the output's shape here) and its scalars.
 */
type FusedOracle = (x: number[], s: number[], i: number) => number;

const f32 = Math.fround;

const FUSED_ORACLE: Record<FusedOp, FusedOracle> = {
  fill: (_x, [v]) => v,
  ramp: (_x, [start, step], i) => start + i * step,
  eye: (_x, [cols], i) => Number(Math.floor(i / cols) === i % cols),
  randint: ([u], [low, range]) =>
    Math.min(Math.floor(u * range), range - 1) + low,
  oneHot: ([c], [classes], i) => Number(i % classes === c),
  dropout: ([x, u], [p, scale]) => u >= p ? x * scale : 0,
  clamp: ([x], [lo, hi]) => Math.min(Math.max(x, lo), hi),
  clampBackward: ([g, x], [lo, hi]) => x >= lo && x <= hi ? g : 0,
  where: ([c, a, b]) => c !== 0 ? a : b,
  whereBackwardTrue: ([g, c]) => c !== 0 ? g : 0,
  whereBackwardFalse: ([g, c]) => c !== 0 ? 0 : g,
  extremeBackward: ([g, index], [inner, size], i) =>
    Math.floor(i / inner) % size === index ? g : 0,
  ties: ([x, m]) => Number(x === m),
  shareAmongTies: ([mask, g, count]) => mask * g / count,
  sgdStep: ([p, g], [lr, wd]) => p - lr * (g + wd * p),
  sgdMomentumStart: ([buf, p], [wd]) => buf + wd * p,
  sgdMomentum: ([buf, g, p], [m, d, wd]) => m * buf + d * (g + wd * p),
  sgdMomentumNoDecay: ([buf, g], [m, d]) => m * buf + d * g,
  sgdNesterovStep: ([p, g, buf], [lr, m, wd]) =>
    p - lr * ((g + wd * p) + m * buf),
  sgdMomentumStep: ([p, buf], [lr]) => p - lr * buf,
  adamFirstMoment: ([m, g, p], [b, c, l2]) => b * m + c * (g + l2 * p),
  adamSecondMoment: ([v, g, p], [b, c, l2]) => b * v + c * (g + l2 * p) ** 2,
  adamStep: ([p, m, v], [step, bias, eps, decay]) =>
    p * decay - step * m / (Math.sqrt(v) * bias + eps),
  brightness: ([x, b]) => Math.min(Math.max(x * b, 0), 1),
  contrast: ([x, mean, c]) => Math.min(Math.max(c * x + (1 - c) * mean, 0), 1),
  normalize: ([x, mean, std]) => (x - mean) / std,
};

/** Inputs that exercise each branch: small integers (classes, indices, conditions) where they matter. */
function fusedInputs(op: FusedOp, count: number, n: number): Float32Array[] {
  const integral = new Set<FusedOp>([
    "oneHot",
    "where",
    "whereBackwardTrue",
    "whereBackwardFalse",
    "extremeBackward",
    "ties",
  ]);
  return Array.from({ length: count }, (_, k) => {
    const data = randomData([n], 40 + k, 0.1, 1).data;
    return Float32Array.from(
      data,
      (v) => integral.has(op) ? Math.floor(v * 3) : v,
    );
  });
}

const SCALARS: number[] = [0.25, 3, 0.5, 0.9];
/** Scalars that are counts (columns, classes, sizes) for the ops that read them so. */
const INTEGER_SCALARS: Partial<Record<FusedOp, number[]>> = {
  eye: [3],
  oneHot: [3],
  randint: [2, 5],
  extremeBackward: [2, 3],
};

for (const op of Object.keys(FUSED) as FusedOp[]) {
  Deno.test(`fused op ${op} matches its oracle`, async () => {
    const n = 12;
    const { inputs, scalars } = FUSED[op];
    const values = fusedInputs(op, inputs, n);
    const s = (INTEGER_SCALARS[op] ?? SCALARS).slice(0, scalars).map(f32);
    const out = await fused(
      op,
      values.map((v) => lib.tensor(v)),
      [n],
      s,
    ).data();
    for (let i = 0; i < n; i++) {
      const want = FUSED_ORACLE[op](values.map((v) => v[i]), s, i);
      assert.ok(
        Math.abs(out[i] - want) <= 1e-5 + 1e-4 * Math.abs(want) ||
          (Number.isNaN(want) && Number.isNaN(out[i])),
        `${op}[${i}]: ${out[i]} vs ${want}`,
      );
    }
  });
}

Deno.test("a fused op with the wrong number of tensors or scalars names what it takes", () => {
  assert.throws(
    () => fused("clamp", [lib.zeros([2])], [2], [1]),
    /Cannot run clamp with 1 tensors and 1 scalars: it takes 1 and 2/,
  );
});
