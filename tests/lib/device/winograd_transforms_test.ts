// The matrices of F(m, r) (m = 2, 4 outputs; r = 3, 5 taps) and their
// weight-gradient transposes against direct correlations in float64, and the WGSL
// arithmetic written from them (valid JavaScript too) against the matrix
// products.
import assert from "node:assert/strict";
import {
  combination,
  sandwich,
  transformsOf,
  transpose,
  weightGradientOf,
  type WinogradTaps,
  type WinogradTile,
} from "../../../lib/device/winograd_transforms.ts";
import { randomFloats } from "./_helpers.ts";

const SIZES: [WinogradTile, WinogradTaps][] = [[2, 3], [4, 3], [2, 5], [4, 5]];

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

for (const [tile, r] of SIZES) {
  const f = transformsOf(tile, r);
  const alpha = tile + r - 1;
  // the larger the coefficients, the more float64 rounding in the checks
  const tolerance = r === 5 && tile === 4 ? 1e-10 : 1e-12;

  Deno.test(`F(${tile}, ${r}) gives the correlation of ${alpha} inputs with ${r} taps`, () => {
    assert.equal(f.alpha, alpha);
    for (let seed = 1; seed <= 20; seed++) {
      const d = randomFloats(alpha, seed);
      const g = randomFloats(r, seed + 100);
      const v = apply(f.input, d);
      const y = apply(f.output, apply(f.kernel, g).map((u, e) => u * v[e]));
      for (let i = 0; i < tile; i++) {
        let want = 0;
        for (let k = 0; k < r; k++) want += g[k] * d[i + k];
        assertNear(y[i], want, tolerance);
      }
    }
  });

  Deno.test(`F(${tile}x${tile}, ${r}x${r}) nests F(${tile}, ${r}) along both axes`, () => {
    const d = square(randomFloats(alpha * alpha, 7), alpha);
    const g = square(randomFloats(r * r, 8), r);
    const v = sandwiched(f.input, d);
    const u = sandwiched(f.kernel, g);
    const y = sandwiched(
      f.output,
      v.map((row, i) => row.map((a, j) => a * u[i][j])),
    );
    for (let oy = 0; oy < tile; oy++) {
      for (let ox = 0; ox < tile; ox++) {
        let want = 0;
        for (let ky = 0; ky < r; ky++) {
          for (let kx = 0; kx < r; kx++) {
            want += g[ky][kx] * d[oy + ky][ox + kx];
          }
        }
        assertNear(y[oy][ox], want, tolerance);
      }
    }
  });

  Deno.test(`F(${r}x${r}, ${tile}x${tile}) correlates an input patch with a ${tile}x${tile} tile of gy`, () => {
    const w = weightGradientOf(tile, r);
    const d = square(randomFloats(alpha * alpha, 9), alpha);
    const h = square(randomFloats(tile * tile, 10), tile);
    const v = sandwiched(w.input, d);
    const u = sandwiched(w.gradient, h);
    const taps = sandwiched(
      w.taps,
      v.map((row, i) => row.map((a, j) => a * u[i][j])),
    );
    for (let ky = 0; ky < r; ky++) {
      for (let kx = 0; kx < r; kx++) {
        let want = 0;
        for (let i = 0; i < tile; i++) {
          for (let j = 0; j < tile; j++) want += h[i][j] * d[i + ky][j + kx];
        }
        assertNear(taps[ky][kx], want, tolerance);
      }
    }
  });

  Deno.test(`the WGSL of F(${tile}, ${r})'s input transform computes B^T d B`, () => {
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
      for (let j = 0; j < alpha; j++) {
        assertNear(got[i][j], want[i][j], tolerance * 100);
      }
    }
  });
}

Deno.test("F(4, 3) is Lavin and Gray's, whose rounding the AlexNet figures were measured with", () => {
  const f = transformsOf(4, 3);
  assert.deepEqual(f.input, [
    [4, 0, -5, 0, 1, 0],
    [0, -4, -4, 1, 1, 0],
    [0, 4, -4, -1, 1, 0],
    [0, -2, -1, 2, 1, 0],
    [0, 2, -1, -2, 1, 0],
    [0, 4, 0, -5, 0, 1],
  ]);
  assert.deepEqual(f.kernel, [
    [1 / 4, 0, 0],
    [-1 / 6, -1 / 6, -1 / 6],
    [-1 / 6, 1 / 6, -1 / 6],
    [1 / 24, 1 / 12, 1 / 6],
    [1 / 24, -1 / 12, 1 / 6],
    [0, 0, 1],
  ]);
  assert.deepEqual(f.output, [
    [1, 1, 1, 1, 1, 0],
    [0, 1, -1, 2, -2, 0],
    [0, 1, 1, 4, 4, 0],
    [0, 1, -1, 8, -8, 1],
  ]);
});

Deno.test("combination writes unit coefficients as signs and leaves zeros out", () => {
  assert.equal(
    combination([1, 0, -1, 4, -0.5], ["a", "b", "c", "d", "e"]),
    "a - c + 4.0 * d - 0.5 * e",
  );
  assert.equal(combination([-1, 2], ["a", "b"]), "-a + 2.0 * b");
  assert.equal(combination([0, 0], ["a", "b"]), "0.0");
});
