import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";
import { nn, optim } from "../../../lib/mod.ts";

Deno.test("a frozen parameter stays in parameters(), numParameters() and stateDict(), as in PyTorch", () => {
  const net = new nn.Sequential(new nn.Linear(3, 4), new nn.Linear(4, 2));
  const first = net.at(0) as nn.Linear;
  first.weight.requiresGrad = false;
  first.bias!.requiresGrad = false;
  assert.deepEqual(net.namedParameters().map(([name]) => name), [
    "0.weight",
    "0.bias",
    "1.weight",
    "1.bias",
  ]);
  assert.equal(net.numParameters(), 3 * 4 + 4 + 4 * 2 + 2);
  assert.deepEqual(Object.keys(net.stateDict()), [
    "0.weight",
    "0.bias",
    "1.weight",
    "1.bias",
  ]);
});

Deno.test("an optimizer takes frozen parameters and leaves them unchanged", async () => {
  const net = new nn.Sequential(new nn.Linear(3, 2));
  const layer = net.at(0) as nn.Linear;
  const before = await layer.weight.data();
  const bias = await layer.bias!.data();
  layer.weight.requiresGrad = false;
  const opt = new optim.SGD(net.parameters(), { lr: 0.5 });
  // A gradient left over from before the freeze must not move it either.
  layer.weight.grad = lib.onesLike(layer.weight);
  net.forward(lib.ones([1, 3])).sum().backward();
  opt.step();
  assert.deepEqual(await layer.weight.data(), before);
  assert.notDeepEqual(await layer.bias!.data(), bias);
});

Deno.test("a tensor field whose name is grad is a parameter like any other", () => {
  class Odd extends nn.Module {
    grad = nn.parameter(lib.zeros([2]));
    forward(x: lib.Tensor): lib.Tensor {
      return x.add(this.grad);
    }
  }
  assert.deepEqual(Object.keys(new Odd().stateDict()), ["grad"]);
});

class Custom extends RangeError {
  constructor(message: string, readonly code: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "Custom";
  }
}

class Failing extends nn.Module {
  constructor(readonly error: Error) {
    super();
  }
  forward(): lib.Tensor {
    throw this.error;
  }
}

Deno.test("Sequential's layer error keeps the class, cause and extra fields of the original", () => {
  const cause = new Error("root");
  const net = new nn.Sequential(
    new nn.ReLU(),
    new Failing(new Custom("bad", 7, { cause })),
  );
  assert.throws(
    () => net.forward(lib.zeros([2, 3])),
    (e: Error) => {
      assert.ok(e instanceof Custom);
      assert.equal(e.name, "Custom");
      assert.equal(e.code, 7);
      assert.equal(e.cause, cause);
      assert.equal(
        e.message,
        "Layer 1 (Failing) failed on input of shape [2, 3]: bad",
      );
      return true;
    },
  );
});

Deno.test("Sequential wraps a user's error whose message begins with 'Layer ', and nested ones once", () => {
  const net = new nn.Sequential(
    new Failing(new Error("Layer norm is not here")),
  );
  assert.throws(
    () => net.forward(lib.zeros([1])),
    {
      message:
        "Layer 0 (Failing) failed on input of shape [1]: Layer norm is not here",
    },
  );
  const outer = new nn.Sequential(new nn.ReLU(), net);
  assert.throws(
    () => outer.forward(lib.zeros([1])),
    {
      message:
        "Layer 0 (Failing) failed on input of shape [1]: Layer norm is not here",
    },
  );
});

Deno.test("LocalResponseNorm uses PyTorch's defaults, with or without options", async () => {
  const x = lib.tensor([1, 2, 3, 4, 5, 6], { shape: [1, 6, 1, 1] });
  const plain = new nn.LocalResponseNorm(3);
  const withAlpha = new nn.LocalResponseNorm(3, { alpha: 1e-4 });
  const explicit = new nn.LocalResponseNorm(3, {
    alpha: 1e-4,
    beta: 0.75,
    k: 1,
  });
  const want = await explicit.forward(x).data();
  assert.deepEqual(await plain.forward(x).data(), want);
  assert.deepEqual(await withAlpha.forward(x).data(), want);
  assert.equal(
    String(plain),
    "LocalResponseNorm(size=3, alpha=0.0001, beta=0.75, k=1)",
  );
  assert.equal(
    String(new nn.LocalResponseNorm(5, { k: 2 })),
    "LocalResponseNorm(size=5, alpha=0.0001, beta=0.75, k=2)",
  );
});
