/**
 * The command-line flags the benches share: `--name=value` options and
 * GEMM configurations written as `ROWSxCOLS/GXxGY[/json]`.
 *
 * @module
 */
import type { GemmTiling } from "../lib/device/tuning.ts";

/**
 * The value of `--name=value` among the arguments, or undefined.
 *
 * @param name the flag without its dashes
 * @param args the arguments (Deno.args by default)
 */
export function flag(
  name: string,
  args: readonly string[] = Deno.args,
): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
}

/**
 * The GEMM configurations named by the arguments that are not flags, e.g.
 * `32x16/8x1` or `32x16/8x1/{"method":"winograd"}`.
 *
 * @param args the arguments (Deno.args by default)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tilingArgs } from "./_args.ts";
 * assert.deepEqual(tilingArgs(["--reps=2", "8x16/4x1"]), [
 *   { rows: 8, cols: 16, groupX: 4, groupY: 1 },
 * ]);
 * ```
 */
export function tilingArgs(
  args: readonly string[] = Deno.args,
): GemmTiling[] {
  return args.filter((a) => !a.startsWith("--")).map((text) => {
    const [tile, group, extra] = text.split("/");
    const [rows, cols] = tile.split("x").map(Number);
    const [groupX, groupY] = group.split("x").map(Number);
    const config: GemmTiling = { rows, cols, groupX, groupY };
    if (extra) Object.assign(config, JSON.parse(extra));
    return config;
  });
}
