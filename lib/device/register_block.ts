/**
 * The code generator of the register block that the lavapipe GEMM kernels
 * (matmul.ts, conv2d_direct.ts, conv2d_backward_weight.ts) share: one
 * invocation keeps TM x TN outputs in vec4 locals and the generator unrolls
 * the loads and FMAs of one k-step. Each kernel supplies its operands as
 * {@link TileOperand}s: that is where they differ.
 *
 * @module
 */
import { textureBinding } from "./texture_staging.ts";
import type { GemmTiling } from "./tuning.ts";

/** Lane names of a vec4, by index. */
export const LANES = ["x", "y", "z", "w"] as const;

/**
 * The WGSL of one operand of the register block. Row operands (A) give a
 * scalar per (row i, k offset kk); column operands (B) a vec4 per (kk,
 * column group j of 4).
 */
export interface TileOperand {
  /** Lines run once per invocation (clamped indices, bases). */
  setup: string[];
  /** Lines of one k-step: loads into `let` values. */
  load: string[];
  /** The WGSL expression of element (i, kk) (rows) or vec4 (kk, j) (columns). */
  value(index: number, kk: number): string;
}

/** The generated parts of the register-tiled kernel. */
export interface TileCode {
  /** Per-invocation set-up of both operands. */
  SETUP: string;
  /** The zeroed accumulators c_i_j. */
  ACCUMULATORS: string;
  /** One k-step: loads, then the unrolled FMAs. */
  STEP: string;
  /** The guarded stores of the accumulators. */
  STORE: string;
}

/**
 * Unrolled code of a TM x TN register block over a KS-deep k-step.
 *
 * @param tile rows and columns per invocation (`cols` a multiple of 4)
 * @param ks k-values per step
 * @param a the row operand
 * @param b the column operand
 * @param store gives the lines that write vec4 `value`, accumulated row i
 *   and columns 4j..4j+3; the callback checks bounds
 * @returns the generated parts, indented for the templates
 */
export function registerBlock(
  tile: Pick<GemmTiling, "rows" | "cols">,
  ks: number,
  a: TileOperand,
  b: TileOperand,
  store: (i: number, j: number, value: string) => string[],
): TileCode {
  const groups = tile.cols / 4;
  const accumulators: string[] = [];
  const fmas: string[] = [];
  const stores: string[] = [];
  for (let i = 0; i < tile.rows; i++) {
    for (let j = 0; j < groups; j++) {
      accumulators.push(`var c_${i}_${j} = vec4<f32>(0.0);`);
      stores.push(...store(i, j, `c_${i}_${j}`));
    }
  }
  // the k-values of a step back to back on one accumulator: LLVM then
  // loads and spills each accumulator once per step (docs/performance.md)
  for (let i = 0; i < tile.rows; i++) {
    for (let j = 0; j < groups; j++) {
      for (let kk = 0; kk < ks; kk++) {
        fmas.push(
          `c_${i}_${j} = fma(vec4<f32>(${a.value(i, kk)}), ${
            b.value(j, kk)
          }, c_${i}_${j});`,
        );
      }
    }
  }
  return {
    SETUP: indent([...a.setup, ...b.setup], 2),
    ACCUMULATORS: indent(accumulators, 2),
    STEP: indent([...a.load, ...b.load, ...fmas], 4),
    STORE: indent(stores, 2),
  };
}

/** `lines` joined, each indented by `depth` spaces. */
export function indent(lines: string[], depth: number): string {
  return lines.map((line) => " ".repeat(depth) + line).join("\n");
}

/** How an operand is read: vec4 fetches from a texture or buffer, or scalar loads. */
export type OperandMode = "texture" | "vec4" | "scalar";

/**
 * The binding declaration of operand `name` in the mode it is read.
 *
 * @param name the WGSL name
 * @param binding its binding index
 * @param mode how the kernel reads it
 * @returns one WGSL line
 */
export function operandBinding(
  name: string,
  binding: number,
  mode: OperandMode,
): string {
  if (mode === "texture") return textureBinding(name, binding);
  const type = mode === "vec4" ? "array<vec4<f32>>" : "array<f32>";
  return `@group(0) @binding(${binding}) var<storage, read> ${name}: ${type};`;
}
