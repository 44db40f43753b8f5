import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";
import { optim } from "../../../lib/mod.ts";
import { assertClose } from "../helpers.ts";

/** Runs `steps` steps of loss = sum(w * c) (gradient c each step), returning w after each. */
async function run(
  make: (w: lib.Tensor) => optim.Optimizer<optim.OptimizerOptions>,
  grads: number[][],
) {
  const w = lib.tensor([1, -2], { requiresGrad: true });
  const opt = make(w);
  const out: number[][] = [];
  for (const g of grads) {
    opt.zeroGrad();
    w.mul(lib.tensor(g)).sum().backward();
    opt.step();
    out.push(Array.from(await w.data()));
  }
  return out;
}

/** PyTorch's SGD on the host, for the same sequence of gradients. */
function sgdReference(
  w: number[],
  grads: number[][],
  o: Required<optim.SGDOptions>,
): number[][] {
  let buf: number[] | undefined;
  const out: number[][] = [];
  for (const grad of grads) {
    let g = grad.map((v, i) => v + o.weightDecay * w[i]);
    if (o.momentum) {
      buf = buf
        ? buf.map((b, i) => o.momentum * b + (1 - o.dampening) * g[i])
        : [...g];
      g = o.nesterov ? g.map((v, i) => v + o.momentum * buf![i]) : buf;
    }
    w = w.map((v, i) => v - o.lr * g[i]);
    out.push(w);
  }
  return out;
}

const GRADS = [[0.5, -1], [0.25, 2], [-1, 0.5], [2, 2]];

for (
  const options of [
    { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
    { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false },
    {
      lr: 0.05,
      momentum: 0.9,
      dampening: 0.1,
      weightDecay: 0.01,
      nesterov: false,
    },
    {
      lr: 0.05,
      momentum: 0.8,
      dampening: 0,
      weightDecay: 0.001,
      nesterov: true,
    },
  ]
) {
  Deno.test(`SGD.step() follows PyTorch's rule with ${JSON.stringify(options)}`, async () => {
    const got = await run((w) => new optim.SGD([w], options), GRADS);
    const want = sgdReference([1, -2], GRADS, options);
    for (let i = 0; i < GRADS.length; i++) {
      await assertClose(Float32Array.from(got[i]), want[i], { atol: 1e-6 });
    }
  });
}

function adamReference(
  w: number[],
  grads: number[][],
  lr: number,
  wd: number,
  decoupled: boolean,
): number[][] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  let m = [0, 0];
  let v = [0, 0];
  const out: number[][] = [];
  grads.forEach((grad, t) => {
    if (decoupled) w = w.map((x) => x * (1 - lr * wd));
    const g = grad.map((x, i) => x + (decoupled ? 0 : wd * w[i]));
    m = m.map((x, i) => b1 * x + (1 - b1) * g[i]);
    v = v.map((x, i) => b2 * x + (1 - b2) * g[i] * g[i]);
    const c1 = 1 - b1 ** (t + 1);
    const c2 = 1 - b2 ** (t + 1);
    w = w.map((x, i) =>
      x - (lr / c1) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(c2) + eps)
    );
    out.push(w);
  });
  return out;
}

Deno.test("Adam.step() applies bias correction and L2 weight decay as PyTorch", async () => {
  const got = await run(
    (w) => new optim.Adam([w], { lr: 0.01, weightDecay: 0.1 }),
    GRADS,
  );
  const want = adamReference([1, -2], GRADS, 0.01, 0.1, false);
  for (let i = 0; i < GRADS.length; i++) {
    await assertClose(Float32Array.from(got[i]), want[i], { atol: 1e-6 });
  }
});

Deno.test("AdamW.step() decays weights directly (default 0.01)", async () => {
  const got = await run((w) => new optim.AdamW([w], { lr: 0.01 }), GRADS);
  const want = adamReference([1, -2], GRADS, 0.01, 0.01, true);
  for (let i = 0; i < GRADS.length; i++) {
    await assertClose(Float32Array.from(got[i]), want[i], { atol: 1e-6 });
  }
});

Deno.test("optimizers reject empty parameter lists, negative rates and non-leaves", () => {
  assert.throws(() => new optim.SGD([], { lr: 0.1 }), /empty parameter list/);
  const w = lib.ones([2], { requiresGrad: true });
  assert.throws(() => new optim.SGD([w], { lr: -1 }), /learning rate -1/);
  assert.throws(() => new optim.SGD([w.mul(2)], { lr: 0.1 }), /leaf tensors/);
  assert.throws(() => new optim.Adam([w], { betas: [1, 0.9] }), /betas/);
});

Deno.test("StepLR divides the rate every stepSize epochs; ReduceLROnPlateau after patience", () => {
  const w = lib.ones([1], { requiresGrad: true });
  const opt = new optim.SGD([w], { lr: 1 });
  const steps = new optim.StepLR(opt, 2, { gamma: 0.5 });
  const seen = [];
  for (let i = 0; i < 5; i++) steps.step(), seen.push(opt.lr);
  assert.deepEqual(seen, [1, 0.5, 0.5, 0.25, 0.25]);
  const opt2 = new optim.SGD([w], { lr: 0.1 });
  const plateau = new optim.ReduceLROnPlateau(opt2, { patience: 1 });
  for (const loss of [1, 0.9, 0.95, 0.95]) plateau.step(loss);
  assert.ok(Math.abs(opt2.lr - 0.01) < 1e-12, `lr ${opt2.lr}`);
});
