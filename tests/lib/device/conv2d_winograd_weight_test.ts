// Winograd F(3x3, 2x2) for the conv2d weight gradient: the matrices
// against a direct correlation, then the device path against the float64
// oracle on the awkward layers (odd output sizes, padding, groups, 5x5).
import assert from "node:assert/strict";
import {
  F32_GRADIENT,
  F32_INPUT,
  F32_OUTPUT,
} from "../../../lib/device/conv2d_winograd_weight.ts";
import { tuningFor } from "../../../lib/device/tuning.ts";
import { checkConv, type Layer, WINOGRAD_LAYERS } from "./_gemm_checks.ts";
import { randomFloats, withTuning } from "./_helpers.ts";

/** Fails unless |a - b| <= tolerance. */
function assertNear(a: number, b: number, tolerance: number): void {
  assert.ok(Math.abs(a - b) <= tolerance, `${a} != ${b}`);
}

/** a @ b for matrices given as rows. */
function times(a: readonly number[][], b: readonly number[][]): number[][] {
  return a.map((row) => apply(transpose(b), row));
}

/** The transpose of a matrix given as rows. */
function transpose(m: readonly number[][]): number[][] {
  return m[0].map((_, j) => m.map((row) => row[j]));
}

/** m @ v for a matrix given as rows. */
function apply(m: readonly number[][], v: ArrayLike<number>): number[] {
  return m.map((row) => row.reduce((sum, a, j) => sum + a * v[j], 0));
}

Deno.test("F(3, 2) matrices give the correlation of 4 inputs with 2 taps", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const d = randomFloats(4, seed);
    const h = randomFloats(2, seed + 100);
    const transformed = apply(F32_GRADIENT, h).map((g, e) =>
      g * apply(F32_INPUT, d)[e]
    );
    const w = apply(F32_OUTPUT, transformed);
    for (let k = 0; k < 3; k++) {
      assertNear(w[k], h[0] * d[k] + h[1] * d[k + 1], 1e-6);
    }
  }
});

Deno.test("F(3x3, 2x2) nests F(3, 2) along both axes", () => {
  const d = randomFloats(16, 7); // 4x4 patch, row-major
  const h = randomFloats(4, 8); // 2x2 tile
  const square = (x: Float32Array, n: number) =>
    Array.from({ length: n }, (_, i) => [...x.slice(i * n, i * n + n)]);
  // m X m^T
  const transformOf = (m: readonly number[][], x: number[][]) =>
    times(times(m, x), transpose(m));
  const v = transformOf(F32_INPUT, square(d, 4));
  const u = transformOf(F32_GRADIENT, square(h, 2));
  const product = v.map((row, i) => row.map((a, j) => a * u[i][j]));
  const w = transformOf(F32_OUTPUT, product);
  for (let ky = 0; ky < 3; ky++) {
    for (let kx = 0; kx < 3; kx++) {
      let want = 0;
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 2; j++) {
          want += h[i * 2 + j] * d[(i + ky) * 4 + j + kx];
        }
      }
      assertNear(w[ky][kx], want, 1e-5);
    }
  }
});

/**
 * Odd output sizes (partial tiles), padding 0 to 2, batch 1 to 3, groups,
 * one channel, 3x3 and 5x5 kernels; GEMM rows below and above 32.
 */
const WINOGRAD_WEIGHT_LAYERS: Layer[] = [
  ...WINOGRAD_LAYERS,
  { batch: 2, c: 1, h: 6, w: 7, oc: 3, k: 5, pad: [0, 2] },
];

Deno.test("the Winograd weight gradient matches the oracle", async () => {
  const cpu = tuningFor("cpu");
  const config = cpu.candidates.weight.find((c) => c.method === "winograd");
  if (config === undefined) throw new Error("no Winograd weight candidate");
  await withTuning({ ...cpu, weight: config, weightThin: config }, async () => {
    for (const layer of WINOGRAD_WEIGHT_LAYERS) {
      await checkConv(layer, ["weight"]);
    }
  });
});
