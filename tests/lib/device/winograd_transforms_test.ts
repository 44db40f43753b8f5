// The matrices of F(2, 3) and F(4, 3) and their weight-gradient
// transposes against direct correlations in float64, and the WGSL
// arithmetic written from them (valid JavaScript too) against the matrix
// products.
import assert from "node:assert/strict";
import {
  combination,
  sandwich,
  transformsOf,
  transpose,
  weightGradientOf,
  type WinogradTile,
} from "../../../lib/device/winograd_transforms.ts";
import { randomFloats } from "./_helpers.ts";

const TILES: WinogradTile[] = [2, 4];

/** Fails unless |a - b| <= tolerance. */
function assertNear(a: number, b: number, tolerance: number): void {
  assert.ok(Math.abs(a - b) <= tolerance, `${a} != ${b}`);
}

/** m @ v for a matrix given as rows. */
function apply(m: readonly number[][], v: ArrayLike<number>): number[] {
  return m.map((row) => row.reduce((sum, a, j) => sum + a * v[j], 0));
}

/** a @ b for matrices given as rows. */
function times(a: readonly number[][], b: readonly number[][]): number[][] {
  return a.map((row) => apply(transpose(b), row));
}

/** m X m^T. */
function sandwiched(m: readonly number[][], x: number[][]): number[][] {
  return times(times(m, x), transpose(m));
}

/** The n x n matrix of the first n * n values of `values`, by rows. */
function square(values: ArrayLike<number>, n: number): number[][] {
  return Array.from(
    { length: n },
    (_, i) => Array.from({ length: n }, (_, j) => values[i * n + j]),
  );
}

for (const tile of TILES) {
  const f = transformsOf(tile);
  const alpha = tile + 2;

  Deno.test(`F(${tile}, 3) gives the correlation of ${alpha} inputs with 3 taps`, () => {
    assert.equal(f.alpha, alpha);
    for (let seed = 1; seed <= 20; seed++) {
      const d = randomFloats(alpha, seed);
      const g = randomFloats(3, seed + 100);
      const v = apply(f.input, d);
      const y = apply(f.output, apply(f.kernel, g).map((u, e) => u * v[e]));
      for (let i = 0; i < tile; i++) {
        assertNear(
          y[i],
          g[0] * d[i] + g[1] * d[i + 1] + g[2] * d[i + 2],
          1e-12,
        );
      }
    }
  });

  Deno.test(`F(${tile}x${tile}, 3x3) nests F(${tile}, 3) along both axes`, () => {
    const d = square(randomFloats(alpha * alpha, 7), alpha);
    const g = square(randomFloats(9, 8), 3);
    const v = sandwiched(f.input, d);
    const u = sandwiched(f.kernel, g);
    const y = sandwiched(
      f.output,
      v.map((row, i) => row.map((a, j) => a * u[i][j])),
    );
    for (let oy = 0; oy < tile; oy++) {
      for (let ox = 0; ox < tile; ox++) {
        let want = 0;
        for (let ky = 0; ky < 3; ky++) {
          for (let kx = 0; kx < 3; kx++) {
            want += g[ky][kx] * d[oy + ky][ox + kx];
          }
        }
        assertNear(y[oy][ox], want, 1e-12);
      }
    }
  });

  Deno.test(`F(3x3, ${tile}x${tile}) correlates an input patch with a ${tile}x${tile} tile of gy`, () => {
    const w = weightGradientOf(tile);
    const d = square(randomFloats(alpha * alpha, 9), alpha);
    const h = square(randomFloats(tile * tile, 10), tile);
    const v = sandwiched(w.input, d);
    const u = sandwiched(w.gradient, h);
    const taps = sandwiched(
      w.taps,
      v.map((row, i) => row.map((a, j) => a * u[i][j])),
    );
    for (let ky = 0; ky < 3; ky++) {
      for (let kx = 0; kx < 3; kx++) {
        let want = 0;
        for (let i = 0; i < tile; i++) {
          for (let j = 0; j < tile; j++) want += h[i][j] * d[i + ky][j + kx];
        }
        assertNear(taps[ky][kx], want, 1e-12);
      }
    }
  });

  Deno.test(`the WGSL of F(${tile}, 3)'s input transform computes B^T d B`, () => {
    const d = randomFloats(alpha * alpha, 11);
    const { statements, result } = sandwich(
      f.input,
      (i, j) => `d[${i * alpha + j}]`,
      "bd",
    );
    // WGSL's let and arithmetic read as JavaScript
    const evaluate = new Function(
      "d",
      `${statements.join("\n")}\nreturn [${
        result.map((row) => `[${row.join(", ")}]`).join(", ")
      }];`,
    );
    const got: number[][] = evaluate(d);
    const want = sandwiched(f.input, square(d, alpha));
    for (let i = 0; i < alpha; i++) {
      for (let j = 0; j < alpha; j++) assertNear(got[i][j], want[i][j], 1e-12);
    }
  });
}

Deno.test("combination writes unit coefficients as signs and leaves zeros out", () => {
  assert.equal(
    combination([1, 0, -1, 4, -0.5], ["a", "b", "c", "d", "e"]),
    "a - c + 4.0 * d - 0.5 * e",
  );
  assert.equal(combination([-1, 2], ["a", "b"]), "-a + 2.0 * b");
  assert.equal(combination([0, 0], ["a", "b"]), "0.0");
});
