import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";
import { nn } from "../../../lib/mod.ts";
import * as O from "../oracle.ts";
import { assertClose, randomData, toTensor } from "../helpers.ts";

async function nd(t: lib.Tensor): Promise<O.Nd> {
  return O.nd([...t.shape], await t.data());
}

/** The gradients of sum(out * probe) for the input and every parameter. */
function gradients(
  run: (x: lib.Tensor) => lib.Tensor,
  params: lib.Tensor[],
  x: lib.Tensor,
  probe: lib.Tensor,
): Promise<Float32Array[]> {
  for (const p of [x, ...params]) p.grad = null;
  lib.sum(lib.mul(run(x), probe)).backward();
  return Promise.all([x, ...params].map((p) => p.grad!.data()));
}

Deno.test("Sequential runs Conv2d then ReLU as one fused kernel with the same values and gradients", async () => {
  lib.manualSeed(3);
  const conv = new nn.Conv2d(3, 5, 3, { padding: 1, stride: 2 });
  const net = new nn.Sequential(conv, new nn.ReLU());
  const xData = randomData([2, 3, 9, 7], 4);
  const x = toTensor(xData, true);
  const y = net.forward(x);
  assert.equal(y.gradFn?.name, "conv2d+relu", "the fused path was taken");
  const expected = O.map(
    (v) => Math.max(v, 0),
    O.conv2d(xData, await nd(conv.weight), await nd(conv.bias!), {
      stride: [2, 2],
      padding: [1, 1],
      dilation: [1, 1],
      groups: 1,
    }),
  );
  assert.ok(expected.data.some((v) => v === 0), "some outputs are clipped");
  await assertClose(y, expected, { atol: 1e-5 });

  const probe = toTensor(randomData([...y.shape], 5));
  const params = [conv.weight, conv.bias!];
  const fused = await gradients((t) => net.forward(t), params, x, probe);
  const plain = await gradients(
    (t) => lib.relu(conv.forward(t)),
    params,
    x,
    probe,
  );
  for (const [i, what] of ["input", "weight", "bias"].entries()) {
    await assertClose(fused[i], plain[i], { atol: 1e-5 }, `${what} gradient`);
  }
});

Deno.test("Sequential runs Linear then ReLU fused; a ReLU subclass or a lone layer runs as written", async () => {
  lib.manualSeed(6);
  const fc = new nn.Linear(7, 4);
  const net = new nn.Sequential(fc, new nn.ReLU(), new nn.Linear(4, 2));
  const xData = randomData([3, 7], 7);
  const x = toTensor(xData, true);
  const hidden = new nn.Sequential(fc, new nn.ReLU()).forward(x);
  assert.equal(hidden.gradFn?.name, "linear+relu");
  const w = await nd(fc.weight);
  const b = await fc.bias!.data();
  const product = O.matmul(xData, O.permute(w, [1, 0]));
  const expected = O.nd(
    product.shape,
    product.data.map((v, i) => Math.max(v + b[i % 4], 0)),
  );
  await assertClose(hidden, expected, { atol: 1e-5 });
  const probe = toTensor(randomData([3, 2], 8));
  const params = net.parameters();
  const fused = await gradients((t) => net.forward(t), params, x, probe);
  const plain = await gradients(
    (t) => net.at(2).forward(lib.relu(fc.forward(t))),
    params,
    x,
    probe,
  );
  for (const [i, g] of fused.entries()) {
    await assertClose(g, plain[i], { atol: 1e-5 }, `gradient ${i}`);
  }

  class Leakyish extends nn.ReLU {}
  const custom = new nn.Sequential(fc, new Leakyish()).forward(x);
  assert.equal(custom.gradFn?.name, "relu", "a subclass is not fused");
});
