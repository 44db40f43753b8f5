/**
 * `deno task tune`: tunes the course AlexNet's shapes on this adapter
 * ahead of time (the tuner would otherwise time each at first use) and
 * prints, per shape, the configuration chosen, its GFLOP/s and the
 * runner-up. The choices go to the tuner's cache file.
 *
 * Flags: `--batch=N` or `--batch=8,16` (default 8 on a CPU adapter, 128
 * on a GPU; batch sizes up to the same power of two share a shape class,
 * which is tuned once),
 * `--budget=SECONDS` per shape (default 120 on a CPU adapter, where
 * compiling a candidate takes seconds; 5 on a GPU), `--only=TEXT` keeps the
 * shapes whose name contains TEXT.
 *
 * @module
 */
import { CONV2D_FAMILIES } from "../lib/device/conv2d.ts";
import { MATMUL_FAMILY } from "../lib/device/matmul.ts";
import {
  bucket,
  cachePath,
  tune,
  type TuneResult,
} from "../lib/device/tuner.ts";
import { tuning } from "../lib/device/tuning.ts";
import { adapter } from "../lib/device/webgpu.ts";
import { alexnetConvs, alexnetMatmuls } from "./alexnet_shapes.ts";
import { flag } from "./_args.ts";

const cpu = tuning.kind === "cpu";
const batches = (flag("batch") ?? (cpu ? "8" : "128")).split(",").map(Number);
const budget = Number(flag("budget") ?? (cpu ? 120 : 5));
const only = flag("only");
if (!batches.every((b) => Number.isInteger(b) && b > 0)) {
  console.error(
    `--batch=${flag("batch")}: need positive whole numbers, as in --batch=8,16`,
  );
  Deno.exit(2);
}
if (!(budget > 0)) {
  console.error(`--budget=${flag("budget")}: need seconds above 0`);
  Deno.exit(2);
}
// batch sizes share a shape class up to the next power of two (tuner.ts,
// bucket): tune each class once
const classes = [...new Map(batches.map((b) => [bucket(b), b])).values()];
console.log(
  `adapter: ${
    adapter.info.description || adapter.info.vendor
  } (tuning "${tuning.kind}"), batch ${
    classes.join(", ")
  }, budget ${budget} s per shape`,
);
const widths = [36, 34, 9, 34, 9];
const line = (cells: string[]) =>
  cells.map((c, i) =>
    i === 2 || i === 4 ? c.padStart(widths[i]) : c.padEnd(widths[i])
  )
    .join(" ");
console.log(line(["shape", "chosen", "GFLOP/s", "runner-up", "GFLOP/s"]));
const print = (name: string, r: TuneResult) =>
  console.log(line([
    name,
    r.chosen,
    r.gflops.toFixed(1),
    r.runnerUp ?? "-",
    r.runnerUpGflops?.toFixed(1) ?? "-",
  ]));
const keep = (name: string) => only === undefined || name.includes(only);

for (const batch of classes) {
  const named = (name: string) =>
    classes.length > 1 ? `b${batch} ${name}` : name;
  for (const [name, shape] of alexnetConvs(batch)) {
    for (const product of ["forward", "input", "weight"] as const) {
      const label = named(`${name} ${product}`);
      if (!keep(label)) continue;
      const [result] = await tune(CONV2D_FAMILIES[product], [shape], budget);
      print(label, result);
    }
  }
  for (const [name, shape] of alexnetMatmuls(batch)) {
    if (!keep(named(name))) continue;
    const [result] = await tune(MATMUL_FAMILY, [shape], budget);
    print(named(name), result);
  }
}
console.log(`cache: ${cachePath()}`);
