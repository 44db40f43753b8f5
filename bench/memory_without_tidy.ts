/**
 * GPU memory and process RSS over a training-like loop, with and without
 * `tidy()`: a small MLP's forward, backward and SGD step per iteration.
 * Run: `deno run -A --v8-flags=--expose-gc bench/memory_without_tidy.ts
 * [--steps=10000] [--tidy]` (the kernel's executor has gc() exposed too).
 * Prints a row every tenth of the run: step, GPU bytes in use and pooled,
 * RSS and JS heap, in MiB. Figures, not a test.
 *
 * @module
 */
import * as lib from "../lib/mod.ts";
import { nn, optim } from "../lib/mod.ts";

const arg = (name: string) =>
  Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const steps = Number(arg("steps") ?? 10000);
const withTidy = Deno.args.includes("--tidy");
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

const model = new nn.Sequential(
  new nn.Linear(256, 512),
  new nn.ReLU(),
  new nn.Linear(512, 10),
);
const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
const x = lib.randn([64, 256]);
const y = lib.randint(0, 10, [64]);

function step(): lib.Tensor {
  opt.zeroGrad();
  const loss = lib.crossEntropy(model.forward(x), y);
  loss.backward();
  opt.step();
  return loss;
}

console.log(
  `${steps} steps ${withTidy ? "with" : "without"} tidy, gc() ${
    typeof (globalThis as { gc?: unknown }).gc === "function"
      ? "exposed"
      : "absent"
  }, budget ${mib(lib.memoryBudget())} MiB`,
);
console.log("step\tGPU in use\tGPU pooled\tRSS\tJS heap (MiB)");
const every = Math.max(1, Math.floor(steps / 10));
for (let i = 1; i <= steps; i++) {
  const loss = withTidy ? lib.tidy(() => lib.keep(step())) : step();
  // A notebook reads the loss now and then; the awaits let collection run.
  if (i % 10 === 0) await loss.item();
  if (withTidy) loss.dispose();
  if (i % every === 0 || i === 1) {
    const m = lib.memory();
    const u = Deno.memoryUsage();
    console.log(
      `${i}\t${mib(m.bytesInUse)}\t${mib(m.bytesPooled)}\t${mib(u.rss)}\t${
        mib(u.heapUsed)
      }`,
    );
  }
}
