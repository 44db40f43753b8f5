import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";
import { nn } from "../../../lib/mod.ts";
import * as O from "../oracle.ts";
import { assertClose, randomData, toTensor } from "../helpers.ts";

async function nd(t: lib.Tensor): Promise<O.Nd> {
  return O.nd([...t.shape], await t.data());
}

Deno.test("Linear and Conv2d initialise as PyTorch: U(-1/sqrt(fanIn), 1/sqrt(fanIn))", async () => {
  lib.manualSeed(0);
  const conv = new nn.Conv2d(16, 32, 3, { groups: 2 });
  const bound = 1 / Math.sqrt(8 * 9);
  for (const p of [conv.weight, conv.bias!]) {
    const values = await p.data();
    assert.ok(values.every((v) => Math.abs(v) <= bound), "within the bound");
    assert.ok(
      Math.max(...values.map(Math.abs)) > 0.9 * bound,
      "spread to the bound",
    );
  }
  assert.deepEqual(conv.weight.shape, [32, 8, 3, 3]);
  const linear = new nn.Linear(100, 10, { bias: false });
  assert.equal(linear.bias, undefined);
  assert.deepEqual(linear.parameters().map((p) => p.shape), [[10, 100]]);
});

Deno.test("Conv2d with groups and stride matches the reference and reaches its parameters", async () => {
  lib.manualSeed(1);
  const conv = new nn.Conv2d(4, 6, 3, { stride: 2, padding: 1, groups: 2 });
  const x = randomData([2, 4, 7, 7], 2);
  const y = conv.forward(toTensor(x));
  const expected = O.conv2d(x, await nd(conv.weight), await nd(conv.bias!), {
    stride: [2, 2],
    padding: [1, 1],
    dilation: [1, 1],
    groups: 2,
  });
  await assertClose(y, expected, { atol: 1e-5 });
  y.sum().backward();
  assert.deepEqual(conv.weight.grad!.shape, [6, 2, 3, 3]);
  // d(sum y)/d(bias) = number of output positions per channel.
  await assertClose(conv.bias!.grad!, new Array(6).fill(2 * 4 * 4));
});

Deno.test("Dropout scales by 1/(1-p) in training, is the identity in eval, and is seeded", async () => {
  const drop = new nn.Dropout(0.25);
  const x = lib.ones([4000]);
  lib.manualSeed(3);
  const a = await drop.forward(x).data();
  assert.ok(a.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
  lib.manualSeed(3);
  assert.deepEqual(await drop.forward(x).data(), a);
  drop.eval();
  assert.equal(drop.forward(x), x);
  assert.throws(() => new nn.Dropout(1.5), /p must be in \[0, 1\]/);
});

Deno.test("LocalResponseNorm uses PyTorch's constants by default", async () => {
  const lrn = new nn.LocalResponseNorm();
  const x = randomData([1, 6, 2, 2], 4, -3, 3);
  await assertClose(
    lrn.forward(toTensor(x)),
    O.localResponseNorm(x, 5, 1e-4, 0.75, 1),
  );
  assert.equal(
    String(lrn),
    "LocalResponseNorm(size=5, alpha=0.0001, beta=0.75, k=1)",
  );
});

Deno.test("Sequential names children by index, walks parameters, switches train/eval", () => {
  const net = new nn.Sequential(
    new nn.Linear(3, 4),
    new nn.ReLU(),
    new nn.Dropout(),
    new nn.Linear(4, 2),
  );
  assert.deepEqual(net.namedParameters().map(([n]) => n), [
    "0.weight",
    "0.bias",
    "3.weight",
    "3.bias",
  ]);
  assert.equal(net.numParameters(), 3 * 4 + 4 + 4 * 2 + 2);
  net.eval();
  assert.ok(net.modules().every((m) => !m.training));
  net.train();
  assert.ok((net.at(2) as nn.Dropout).training);
  assert.match(
    String(net),
    /^Sequential\(\n {2}\(0\): Linear\(inFeatures=3, outFeatures=4, bias=true\)\n {2}\(1\): ReLU\(\)/,
  );
  const html = net[lib.DISPLAY]()["text/html"];
  assert.match(html, /26 parameters/);
});

Deno.test("a layer's shape error names its index, class and input shape", () => {
  const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(10, 2));
  assert.throws(
    () => net.forward(lib.zeros([2, 3, 3])),
    (e: Error) =>
      e instanceof TypeError &&
      e.message.startsWith(
        "Layer 1 (Linear) failed on input of shape [2, 9]: Cannot apply linear with weight [2, 10]",
      ),
  );
});

Deno.test("stateDict/loadStateDict round trip; wrong keys or shapes change nothing", async () => {
  const a = new nn.Sequential(new nn.Linear(3, 2));
  const b = new nn.Sequential(new nn.Linear(3, 2));
  b.loadStateDict(a.stateDict());
  await assertClose(b.parameters()[0], await a.parameters()[0].data());
  const before = await b.parameters()[1].data();
  assert.throws(
    () =>
      b.loadStateDict({
        "0.weight": lib.zeros([3, 2]),
        "0.bias": lib.zeros([2]),
      }),
    /0\.weight has shape \[3, 2\] in the file and \[2, 3\] in the model/,
  );
  assert.throws(
    () => b.loadStateDict({ "0.weight": lib.zeros([2, 3]) }),
    /missing keys 0\.bias/,
  );
  assert.throws(
    () => b.loadStateDict({ ...a.stateDict(), extra: lib.zeros([1]) }),
    /unexpected keys extra/,
  );
  assert.deepEqual(await b.parameters()[1].data(), before);
});

Deno.test("nn.init: xavierUniform bound, kaimingNormal spread, constant", async () => {
  lib.manualSeed(5);
  const w = lib.zeros([200, 300]);
  nn.init.xavierUniform(w);
  const bound = Math.sqrt(6 / 500);
  const values = await w.data();
  assert.ok(values.every((v) => Math.abs(v) <= bound));
  nn.init.kaimingNormal(w, { nonlinearity: "relu" });
  const k = await w.data();
  const std = Math.sqrt(k.reduce((acc, v) => acc + v * v, 0) / k.length);
  assert.ok(Math.abs(std - Math.sqrt(2 / 300)) < 0.002, `std ${std}`);
  nn.init.constant(w, 0.5);
  assert.equal(await w.mean().item(), 0.5);
});
