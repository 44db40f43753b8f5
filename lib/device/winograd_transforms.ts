/**
 * The matrices of Winograd's minimal filtering F(m, r), m = 2 or 4 outputs
 * of an r = 3 or 5 tap correlation, and the WGSL that applies them, for the
 * conv2d code (conv2d_winograd.ts, conv2d_winograd_weight.ts): one m-output
 * run from alpha = m + r - 1 inputs is y = A^T [(G g) . (B^T d)], and a 2-D
 * tile nests it along both axes, Y = A^T [(G g G^T) . (B^T d B)] A.
 *
 * The matrices come from Toom-Cook at alpha - 1 points and infinity
 * ({@link transformsOf}). F(2, 3) interpolates at 0, 1, -1: 16
 * multiplications for a 2x2 tile instead of 36. F(4, 3) and F(2, 5) add 2
 * and -2: 36 for a 4x4 tile instead of 144, or for a 2x2 tile of a 5x5
 * kernel instead of 100. F(4, 5) adds 1/2 and -1/2: 64 instead of 400.
 * More points mean larger coefficients and more rounding: on AlexNet's
 * layers (batch 1, 3,000 outputs sampled), the worst error of an output as
 * a fraction of its sum of |products| was 6e-8 (F(2x2, 3x3)), 1.1-2.4e-6
 * (F(4x4, 3x3)), 4.5e-7 (F(2x2, 5x5)) and 9.3e-7 (F(4x4, 5x5)).
 *
 * The weight gradient is F(r, m) by the transposition principle: since
 * sum_i h_i y_i = sum_e (A h)_e (G g)_e (B^T d)_e, the gradient of a tile's
 * output in g, the correlation of d with the m-tap run h of gy, is
 * w = G^T [(A h) . (B^T d)]: the same input transform, A (the transpose of
 * A^T) on gy, G^T back to r taps ({@link weightGradientOf}).
 *
 * @example The sizes of F(2x2, 3x3) and F(4x4, 5x5)
 * ```ts
 * import { transformsOf } from "./winograd_transforms.ts";
 * const f = transformsOf(2);
 * console.log(f.alpha, f.input.length, f.kernel[0].length); // 4 4 3
 * const g = transformsOf(4, 5);
 * console.log(g.alpha, g.output.length, g.kernel[0].length); // 8 4 5
 * ```
 *
 * @module
 */

/** The side of a Winograd output tile: F(2x2, rxr) or F(4x4, rxr). */
export type WinogradTile = 2 | 4;

/** The side of the kernel a Winograd transform takes in one piece. */
export type WinogradTaps = 3 | 5;

/** The three matrices of one F(m, r). */
export interface Transforms {
  /** Outputs along a side of a tile, m. */
  tile: WinogradTile;
  /** Taps of the kernel, r. */
  taps: WinogradTaps;
  /** m + r - 1: inputs along a side of a patch, and the transformed domain's side. */
  alpha: number;
  /** B^T (alpha x alpha): an input patch into the transformed domain. */
  input: readonly number[][];
  /** G (alpha x r): an r-tap kernel into the transformed domain. */
  kernel: readonly number[][];
  /** A^T (m x alpha): the products back to m outputs. */
  output: readonly number[][];
}

/**
 * The interpolation points, in the order they are taken: small integers
 * first, then 1/2 and -1/2, which give F(4, 5) smaller coefficients (and
 * so less rounding) than 3 and -3 would.
 */
const POINTS = [0, 1, -1, 2, -2, 1 / 2, -1 / 2];

/** The coefficients (constant first) of the product of (x - root) over `roots`. */
function polynomial(roots: readonly number[]): number[] {
  let coefficients = [1];
  for (const root of roots) {
    coefficients = [...coefficients, 0].map((c, k) =>
      (k > 0 ? coefficients[k - 1] : 0) -
      root * (k < coefficients.length ? c : 0)
    );
  }
  return coefficients;
}

/** `values` padded with zeros to `length`. */
function padded(values: readonly number[], length: number): number[] {
  return Array.from({ length }, (_, k) => values[k] ?? 0);
}

const cache = new Map<string, Transforms>();

/**
 * The matrices of F(`tile`, `taps`) by Toom-Cook at the first
 * alpha - 1 {@link POINTS} and infinity: A^T evaluates the tile's
 * polynomial at the points, G the kernel's (scaled by 1 / N_j, N_j the
 * product of p_j - p_l over the other points l), and row j of B^T holds
 * the coefficients of the product of (x - p_l) over the other points (all
 * of them for infinity). At 0, 1, -1 (and 2, -2) these are Lavin and
 * Gray's F(2, 3) and F(4, 3), up to the sign of a row of B^T and of G or
 * of A^T's column, which changes no rounding.
 */
export function transformsOf(
  tile: WinogradTile,
  taps: WinogradTaps = 3,
): Transforms {
  const key = `${tile}|${taps}`;
  const known = cache.get(key);
  if (known) return known;
  const alpha = tile + taps - 1;
  const points = POINTS.slice(0, alpha - 1);
  const others = (j: number) => points.filter((_, l) => l !== j);
  const unit = (n: number, k: number) =>
    Array.from({ length: n }, (_, i) => i === k ? 1 : 0);
  const f: Transforms = {
    tile,
    taps,
    alpha,
    input: [
      ...points.map((_, j) => padded(polynomial(others(j)), alpha)),
      polynomial(points),
    ],
    kernel: [
      ...points.map((p, j) => {
        const scale = others(j).reduce((n, l) => n * (p - l), 1);
        return Array.from({ length: taps }, (_, k) => p ** k / scale);
      }),
      unit(taps, taps - 1),
    ],
    output: Array.from(
      { length: tile },
      (_, i) => [...points.map((p) => p ** i), i === tile - 1 ? 1 : 0],
    ),
  };
  cache.set(key, f);
  return f;
}

/** The transpose of a matrix given as rows. */
export function transpose(m: readonly number[][]): number[][] {
  return m[0].map((_, j) => m.map((row) => row[j]));
}

/**
 * The matrices of the weight gradient F(r, m) (see the module doc): `input`
 * B^T on the input patch, `gradient` A (alpha x m) on a tile of gy, and
 * `taps` G^T (r x alpha) back to the kernel.
 */
export function weightGradientOf(
  tile: WinogradTile,
  taps: WinogradTaps = 3,
): {
  input: readonly number[][];
  gradient: number[][];
  taps: number[][];
} {
  const f = transformsOf(tile, taps);
  return {
    input: f.input,
    gradient: transpose(f.output),
    taps: transpose(f.kernel),
  };
}

/** A WGSL float literal of `c`. */
function literal(c: number): string {
  return Number.isInteger(c) ? `${c}.0` : String(c);
}

/**
 * The WGSL expression of sum_k coefficients[k] * terms[k], zero terms left
 * out and unit coefficients written as signs ("a - b + 4.0 * c").
 */
export function combination(
  coefficients: readonly number[],
  terms: readonly string[],
): string {
  let code = "";
  coefficients.forEach((c, k) => {
    if (c === 0) return;
    const magnitude = Math.abs(c);
    const term = magnitude === 1
      ? terms[k]
      : `${literal(magnitude)} * ${terms[k]}`;
    code += code === ""
      ? (c < 0 ? `-${term}` : term)
      : (c < 0 ? ` - ${term}` : ` + ${term}`);
  });
  return code === "" ? "0.0" : code;
}

/**
 * WGSL for L X L^T, a transform along both axes of a square block X: the
 * statements that compute L X (named `${name}_i_j`), and the expression of
 * each element (i, j) of the result, which the caller stores or names.
 *
 * @param l L, p x q, given as rows
 * @param x the WGSL expression of X's element (i, j), for i, j < q
 * @param name prefix of the intermediate values
 * @returns the statements, and the result's p x p expressions as rows
 */
export function sandwich(
  l: readonly number[][],
  x: (i: number, j: number) => string,
  name: string,
): { statements: string[]; result: string[][] } {
  const q = l[0].length;
  const statements: string[] = [];
  const left: string[][] = l.map((row, i) =>
    Array.from({ length: q }, (_, j) => {
      const v = `${name}_${i}_${j}`;
      const column = Array.from({ length: q }, (_, k) => x(k, j));
      statements.push(`let ${v} = ${combination(row, column)};`);
      return v;
    })
  );
  const result = left.map((row) => l.map((lj) => combination(lj, row)));
  return { statements, result };
}

/**
 * The WGSL body lines of a transform L X L^T: `load(i, j)` reads X's
 * element (i, j), `store(i, j, value)` is the statement that keeps the
 * result's; indented for a function body.
 */
export function transformCode(
  l: readonly number[][],
  load: (i: number, j: number) => string,
  store: (i: number, j: number, value: string) => string,
  name: string,
): string {
  const { statements, result } = sandwich(l, load, name);
  const stores = result.flatMap((row, i) =>
    row.map((value, j) => store(i, j, value))
  );
  return [...statements, ...stores].map((line) => `  ${line}`).join("\n");
}

/**
 * WGSL that names each value of an n x n block read from memory
 * (`let ${name}_i_j = read(i, j);`), so that a transform reads each once;
 * indented for a function body.
 */
export function loadCode(
  n: number,
  read: (i: number, j: number) => string,
  name: string,
): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      lines.push(`  let ${name}_${i}_${j} = ${read(i, j)};`);
    }
  }
  return lines.join("\n");
}
