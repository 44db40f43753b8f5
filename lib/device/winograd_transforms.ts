/**
 * The matrices of Winograd's minimal filtering F(m, 3), m = 2 or 4, and the
 * WGSL that applies them, for the conv2d code (conv2d_winograd.ts,
 * conv2d_winograd_weight.ts): one m-output run of a 3-tap correlation from
 * m + 2 inputs is y = A^T [(G g) . (B^T d)], and a 2-D tile nests it along
 * both axes, Y = A^T [(G g G^T) . (B^T d B)] A.
 *
 * F(2, 3) interpolates at 0, 1, -1 and infinity: 16 multiplications for a
 * 2x2 tile instead of 36. F(4, 3) adds 2 and -2: 36 for a 4x4 tile instead
 * of 144, at the price of larger coefficients (5 in B^T, 8 in A^T, 1/24 in
 * G), so about ten times the rounding of F(2, 3); on AlexNet's layers it
 * stays below 1e-6 of the sum of |products| of an output.
 *
 * The weight gradient is F(3, m) by the transposition principle: since
 * sum_i h_i y_i = sum_e (A h)_e (G g)_e (B^T d)_e, the gradient of a tile's
 * output in g, the correlation of d with the m-tap run h of gy, is
 * w = G^T [(A h) . (B^T d)]: the same input transform, A (the transpose of
 * A^T) on gy, G^T back to 3 taps ({@link weightGradientOf}).
 *
 * @example The sizes of F(2x2, 3x3)
 * ```ts
 * import { transformsOf } from "./winograd_transforms.ts";
 * const f = transformsOf(2);
 * console.log(f.alpha, f.input.length, f.kernel[0].length); // 4 4 3
 * ```
 *
 * @module
 */

/** The side of a Winograd output tile: F(2x2, 3x3) or F(4x4, 3x3). */
export type WinogradTile = 2 | 4;

/** The three matrices of one F(m, 3). */
export interface Transforms {
  /** Outputs along a side of a tile, m. */
  tile: WinogradTile;
  /** m + 2: inputs along a side of a patch, and the transformed domain's side. */
  alpha: number;
  /** B^T (alpha x alpha): an input patch into the transformed domain. */
  input: readonly number[][];
  /** G (alpha x 3): a 3-tap kernel into the transformed domain. */
  kernel: readonly number[][];
  /** A^T (m x alpha): the products back to m outputs. */
  output: readonly number[][];
}

const F2: Transforms = {
  tile: 2,
  alpha: 4,
  input: [
    [1, 0, -1, 0],
    [0, 1, 1, 0],
    [0, -1, 1, 0],
    [0, 1, 0, -1],
  ],
  kernel: [
    [1, 0, 0],
    [0.5, 0.5, 0.5],
    [0.5, -0.5, 0.5],
    [0, 0, 1],
  ],
  output: [
    [1, 1, 1, 0],
    [0, 1, -1, -1],
  ],
};

const F4: Transforms = {
  tile: 4,
  alpha: 6,
  input: [
    [4, 0, -5, 0, 1, 0],
    [0, -4, -4, 1, 1, 0],
    [0, 4, -4, -1, 1, 0],
    [0, -2, -1, 2, 1, 0],
    [0, 2, -1, -2, 1, 0],
    [0, 4, 0, -5, 0, 1],
  ],
  kernel: [
    [1 / 4, 0, 0],
    [-1 / 6, -1 / 6, -1 / 6],
    [-1 / 6, 1 / 6, -1 / 6],
    [1 / 24, 1 / 12, 1 / 6],
    [1 / 24, -1 / 12, 1 / 6],
    [0, 0, 1],
  ],
  output: [
    [1, 1, 1, 1, 1, 0],
    [0, 1, -1, 2, -2, 0],
    [0, 1, 1, 4, 4, 0],
    [0, 1, -1, 8, -8, 1],
  ],
};

/** The matrices of F(`tile`, 3). */
export function transformsOf(tile: WinogradTile): Transforms {
  return tile === 2 ? F2 : F4;
}

/** The transpose of a matrix given as rows. */
export function transpose(m: readonly number[][]): number[][] {
  return m[0].map((_, j) => m.map((row) => row[j]));
}

/**
 * The matrices of the weight gradient F(3, m) (see the module doc): `input`
 * B^T on the input patch, `gradient` A (alpha x m) on a tile of gy, and
 * `taps` G^T (3 x alpha) back to the kernel.
 */
export function weightGradientOf(tile: WinogradTile): {
  input: readonly number[][];
  gradient: number[][];
  taps: number[][];
} {
  const f = transformsOf(tile);
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
