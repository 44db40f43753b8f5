import assert from "node:assert/strict";
import * as lib from "../../../lib/mod.ts";
import { optim } from "../../../lib/mod.ts";

Deno.test("setting lr to NaN or a negative number raises", () => {
  const w = lib.tensor([1], { requiresGrad: true });
  const opt = new optim.SGD([w], { lr: 0.1 });
  assert.throws(() => (opt.lr = NaN), /learning rate NaN/);
  assert.throws(() => (opt.lr = -5), /learning rate -5/);
  assert.equal(opt.lr, 0.1);
  opt.paramGroups[0].options.lr = NaN;
  assert.throws(() => opt.step(), /learning rate NaN/);
});

Deno.test("SGD rejects NaN momentum and weightDecay", () => {
  const w = lib.tensor([1], { requiresGrad: true });
  assert.throws(() => new optim.SGD([w], { momentum: NaN }), /momentum NaN/);
  assert.throws(
    () => new optim.SGD([w], { weightDecay: NaN }),
    /weightDecay NaN/,
  );
});

Deno.test("the same parameter given twice raises", () => {
  const w = lib.tensor([1], { requiresGrad: true });
  assert.throws(() => new optim.SGD([w, w]), /twice/);
  assert.throws(
    () => new optim.Adam([{ params: [w] }, { params: [w] }]),
    /twice/,
  );
});
