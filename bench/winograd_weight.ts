/**
 * The weight gradient of the course AlexNet's conv2-5 through im2col (the
 * lavapipe default before session 4) and through Winograd F(KxK, 2x2) and
 * F(KxK, 4x4) (conv2d_winograd_weight.ts; the default since session 6),
 * timed with GPU timestamps around `--reps` back-to-back products, the
 * three in alternation for `--rounds` rounds so that a shared machine loads
 * all alike; prints the median and best ms of each. `--error` also compares both with a float64 oracle: the largest
 * error as a fraction of sum |products| of its output (the bound of
 * tests/lib/device/_gemm_checks.ts is 1e-5).
 *
 * `deno run -A bench/winograd_weight.ts --batch=8 --rounds=5 --reps=2 [--error]`
 *
 * @module
 */
import { allocate, release } from "../lib/device/buffer_pool.ts";
import { type Conv2dShape, conv2dWith } from "../lib/device/conv2d.ts";
import { GpuTimer } from "../lib/device/gpu_timer.ts";
import { readBuffer, synchronize } from "../lib/device/recorder.ts";
import { randomBuffer } from "../lib/device/tuner_inputs.ts";
import { type GemmTiling, tuningFor } from "../lib/device/tuning.ts";
import { alexnetConvs } from "./alexnet_shapes.ts";
import { flag } from "./_args.ts";

const batch = Number(flag("batch") ?? 8);
const reps = Number(flag("reps") ?? 2);
const rounds = Number(flag("rounds") ?? 5);
const withError = Deno.args.includes("--error");

const cpu = tuningFor("cpu");
const base = { ...cpu.matmul };
const sides: [string, GemmTiling][] = [
  ["im2col", { ...base, method: "im2col" }],
  ["winograd", { ...base, method: "winograd" }],
  ["winograd4", { ...base, method: "winograd4" }],
];

/** Per result, the largest |got - want| / sum |products| over the outputs of gw. */
function oracleErrors(
  x: Float32Array,
  gy: Float32Array,
  results: Float32Array[],
  s: Conv2dShape,
): number[] {
  const { kernelHeight: kh, kernelWidth: kw } = s;
  const cg = s.inChannels / s.groups;
  const ocg = s.outChannels / s.groups;
  const [h, w, oh, ow] = [s.inHeight, s.inWidth, s.outHeight, s.outWidth];
  const worst = results.map(() => 0);
  for (let oc = 0; oc < s.outChannels; oc++) {
    const g = Math.floor(oc / ocg);
    for (let c = 0; c < cg; c++) {
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          let sum = 0;
          let abs = 0;
          for (let n = 0; n < s.batch; n++) {
            const xPlane = (n * s.inChannels + g * cg + c) * h * w;
            const gPlane = (n * s.outChannels + oc) * oh * ow;
            for (let oy = 0; oy < oh; oy++) {
              const iy = oy + ky - s.padHeight;
              if (iy < 0 || iy >= h) continue;
              for (let ox = 0; ox < ow; ox++) {
                const ix = ox + kx - s.padWidth;
                if (ix < 0 || ix >= w) continue;
                const p = gy[gPlane + oy * ow + ox] * x[xPlane + iy * w + ix];
                sum += p;
                abs += Math.abs(p);
              }
            }
          }
          const i = ((oc * cg + c) * kh + ky) * kw + kx;
          results.forEach((got, r) => {
            worst[r] = Math.max(worst[r], Math.abs(got[i] - sum) / (abs || 1));
          });
        }
      }
    }
  }
  return worst;
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
for (const [name, s] of alexnetConvs(batch).slice(1)) {
  const xFloats = s.batch * s.inChannels * s.inHeight * s.inWidth;
  const gyFloats = s.batch * s.outChannels * s.outHeight * s.outWidth;
  const wFloats = s.outChannels * (s.inChannels / s.groups) *
    s.kernelHeight * s.kernelWidth;
  const x = randomBuffer(xFloats);
  const gy = randomBuffer(gyFloats);
  const outs = sides.map(() => allocate(wFloats * 4, "bench gw"));
  const flops = 2 * gyFloats * wFloats / s.outChannels;
  const times: number[][] = sides.map(() => []);
  sides.forEach(([_, c], i) =>
    conv2dWith("weight", c, x, gy, undefined, outs[i], s)
  );
  await synchronize(); // compile both
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < sides.length; i++) {
      const timer = new GpuTimer(2);
      timer.mark(0);
      for (let r = 0; r < reps; r++) {
        conv2dWith("weight", sides[i][1], x, gy, undefined, outs[i], s);
      }
      timer.mark(1);
      const [begin, end] = await timer.read();
      times[i].push((end - begin) / reps * 1000);
    }
  }
  const errors = withError
    ? await (async () => {
      const xs = new Float32Array(await readBuffer(x, xFloats * 4));
      const gys = new Float32Array(await readBuffer(gy, gyFloats * 4));
      const results = await Promise.all(
        outs.map(async (o) =>
          new Float32Array(await readBuffer(o, wFloats * 4))
        ),
      );
      return oracleErrors(xs, gys, results, s);
    })()
    : undefined;
  sides.forEach(([side], i) => {
    const ms = median(times[i]);
    console.log(
      `${name.padEnd(22)} ${side.padEnd(9)} median ${ms.toFixed(1)} ms best ${
        Math.min(...times[i]).toFixed(1)
      } ms ${(flops / ms / 1e6).toFixed(1)} GFLOP/s (direct-equivalent)${
        errors ? ` error ${errors[i].toExponential(1)}` : ""
      } [${times[i].map((t) => t.toFixed(0)).join(" ")}]`,
    );
  });
  [x, gy, ...outs].forEach(release);
}
