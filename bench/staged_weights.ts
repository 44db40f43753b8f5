/**
 * `deno run -A bench/staged_weights.ts [--rounds=5]`: AlexNet's fc6 and
 * fc7 at batch 8, forward and backward, with each weight's staged texture
 * serving both its products ("once") against staging it again for the input
 * gradient ("twice"). Before each forward the stager is told the weights
 * may have changed, as after an optimizer step, and again before the
 * backward for "twice". Both run in alternation in one process (docs/performance.md,
 * session 8). Only adapters that stage operands in textures (lavapipe)
 * differ.
 *
 * @module
 */
import * as lib from "../lib/mod.ts";
import { nn } from "../lib/mod.ts";
import { mayWrite } from "../lib/device/recorder.ts";
import { flag } from "./_args.ts";

const rounds = Number(flag("rounds") ?? "5");
const fc6 = new nn.Linear(6400, 4096);
const fc7 = new nn.Linear(4096, 4096);
const net = new nn.Sequential(fc6, fc7);
const x = lib.randn([8, 6400]).requiresGrad_(true);

/** Milliseconds of one forward and backward, the mean of 3. */
async function step(stageTwice: boolean): Promise<number> {
  const start = performance.now();
  for (let r = 0; r < 3; r++) {
    // as an optimizer step would: the forward stages each weight afresh
    [fc6, fc7].forEach((fc) => mayWrite(fc.weight.buffer));
    lib.tidy(() => {
      const h = net.forward(x);
      if (stageTwice) [fc6, fc7].forEach((fc) => mayWrite(fc.weight.buffer));
      lib.sum(h).backward();
    });
    await lib.synchronize();
    net.zeroGrad();
    x.grad?.dispose();
    x.grad = null;
  }
  return (performance.now() - start) / 3;
}

console.log(`adapter: ${lib.device()}`);
await step(false);
await step(true);
for (let round = 0; round < rounds; round++) {
  const once = await step(false);
  const twice = await step(true);
  console.log(
    `staged once ${once.toFixed(0)} ms | staged twice ${twice.toFixed(0)} ms`,
  );
}
