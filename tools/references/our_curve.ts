/**
 * Our side of tools/references/curve_drift.py: the course AlexNet's first 20
 * SGD steps (course_curve.py's `steps20`) with the conv2d forward through a
 * chosen kernel, printing each step's loss and its relative difference to
 * the fixture (tests/lib/fixtures/course_curve.json) and, where
 * out/references/curve_drift.json exists, to PyTorch's float64 curve.
 *
 * Usage: DENO_WEBGPU_TUNE=off deno run -A tools/references/our_curve.ts
 * [--forward=direct|winograd|winograd4] [--lr=0.02] (another lr: does the
 * test's bound see it?). The backward products run the library's defaults.
 *
 * @module
 */
import {
  crossEntropy,
  data,
  models,
  optim,
  tidy,
  training,
} from "../../lib/mod.ts";
import { tuning } from "../../lib/device/tuning.ts";

const forward =
  Deno.args.find((a) => a.startsWith("--forward="))?.split("=")[1] ?? "direct";
if (forward === "winograd" || forward === "winograd4") {
  tuning.conv = { ...tuning.conv, method: forward };
} else if (forward === "direct") {
  tuning.conv = { ...tuning.conv };
  delete tuning.conv.method;
} else {
  throw new Error(`--forward=${forward}: direct, winograd or winograd4`);
}

const root = new URL("../../", import.meta.url).pathname;
const fixture = JSON.parse(
  await Deno.readTextFile(`${root}tests/lib/fixtures/course_curve.json`),
).steps20.steps.map((s: { loss: number }) => s.loss) as number[];
let f64: number[] | undefined;
try {
  f64 = JSON.parse(
    await Deno.readTextFile(`${root}out/references/curve_drift.json`),
  ).curves["f64 t2"];
} catch { /* no float64 curve yet: only the fixture column */ }

const net = training.seededInit(models.alexnet({ dropout: 0 }), 2012);
const optimizer = new optim.SGD(net.parameters(), {
  lr: Number(Deno.args.find((a) => a.startsWith("--lr="))?.slice(5) ?? 0.02),
  momentum: 0.9,
});
const trainAll = await new data.FashionMNIST({ train: true }).load();
const loader = new data.DataLoader(
  new data.Subset(trainAll, Array.from({ length: 80 }, (_, i) => i)),
  { batchSize: 4, transform: new data.transforms.Resize(224) },
);
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const losses: number[] = [];
console.log(`forward ${forward}; step loss rel-vs-fixture rel-vs-f64`);
for await (const [x, y] of loader) {
  const loss = tidy(() => {
    const l = crossEntropy(net.forward(x), y);
    optimizer.zeroGrad();
    l.backward();
    optimizer.step();
    return l;
  });
  const value = await loss.item();
  loss.dispose();
  x.dispose();
  y.dispose();
  const k = losses.push(value) - 1;
  const vsF64 = f64 ? rel(value, f64[k]).toExponential(2) : "-";
  console.log(
    `${k + 1} ${value.toFixed(6)} ${
      rel(value, fixture[k]).toExponential(2)
    } ${vsF64}`,
  );
}
console.log(JSON.stringify({ forward, losses }));
