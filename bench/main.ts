/**
 * `deno task bench`: GFLOP/s of our matmul and conv2d kernels on this
 * machine's adapter, the same shapes through TensorFlow.js's WebGPU backend
 * on the same adapter, and the ratio, as a table. Figures, not tests: the
 * two sides of a row are timed in alternation, so that a machine shared
 * with other work loads both alike. A sample is as many calls back to back
 * as last a quarter of a second, then one wait for the device: throughput,
 * as a training loop sees it, not the latency of one call (`timeSides` in
 * gemm.ts).
 *
 * Flags: `--only=TEXT` keeps the rows whose name contains TEXT;
 * `--no-tfjs` skips the tfjs column, `--no-ours` ours; `--budget=SECONDS` per row and side.
 * Where the device has timestamp-query, a last column gives our GFLOP/s
 * from GPU timestamps around 5 back-to-back calls (no submit-and-wait in
 * it). Rows marked GPU-only (matmul 4096^3) are skipped on a CPU adapter
 * unless `--only` names them.
 *
 * @module
 */
import { adapter } from "../lib/device/webgpu.ts";
import { tuning } from "../lib/device/tuning.ts";
import { hasTimestamps } from "../lib/device/gpu_timer.ts";
import {
  flops,
  gpuSeconds,
  prepareOurs,
  ROWS,
  type Timed,
  timeSides,
} from "./gemm.ts";
import { flag } from "./_args.ts";

const only = flag("only");
const withTfjs = !Deno.args.includes("--no-tfjs");
const withOurs = !Deno.args.includes("--no-ours");
const budget = Number(flag("budget") ?? 2);
const rows = ROWS.filter((row) =>
  only === undefined
    ? !(row.kind === "matmul" && row.gpuOnly && tuning.kind === "cpu")
    : row.name.includes(only)
);

const info = adapter.info;
console.log(
  `adapter: ${info.description || info.vendor} (${
    info.isFallbackAdapter ? "fallback, " : ""
  }tuning "${tuning.kind}", operands via ${tuning.source})`,
);

let tfjs: typeof import("./tfjs.ts") | undefined;
if (withTfjs) {
  try {
    tfjs = await import("./tfjs.ts");
    if (!await tfjs.startTfjs()) tfjs = undefined;
  } catch (error) {
    // e.g. on a machine without the npm packages: print our column alone
    console.error(`tfjs-webgpu not loaded: ${error}`);
  }
}

const header = ["row", "ours GFLOP/s", "tfjs GFLOP/s", "ours/tfjs"];
const widths = [40, 13, 13, 10, 16];
if (hasTimestamps && withOurs) header.push("ours GPU-timed");
const line = (cells: string[]) =>
  cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))
    .join(" ");
console.log(line(header));
for (const row of rows) {
  const sides: Timed[] = [];
  if (withOurs) sides.push(prepareOurs(row));
  if (tfjs) sides.push(tfjs.prepareTfjs(row));
  const seconds = await timeSides(sides, budget);
  sides.forEach((side) => side.dispose());
  const rates = seconds.map((s) => flops(row) / s / 1e9);
  const ours = withOurs ? rates[0] : undefined;
  const theirs = tfjs ? rates[rates.length - 1] : undefined;
  console.log(line([
    row.name,
    ours === undefined ? "-" : ours.toFixed(1),
    theirs === undefined ? "-" : theirs.toFixed(2),
    ours === undefined || theirs === undefined
      ? "-"
      : `${(ours / theirs).toFixed(1)}x`,
    ...(hasTimestamps && withOurs
      ? [(flops(row) / await gpuSeconds(row, 5) / 1e9).toFixed(1)]
      : []),
  ]));
}
