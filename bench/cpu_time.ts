/**
 * CPU time of this process (all its threads: on lavapipe the shaders run
 * on Mesa's threads inside it), from /proc/self/stat. On a machine shared
 * with other work the wall time of a step swings by 2-5x with the load,
 * while the CPU time it needs barely moves: the fair figure to set beside
 * PyTorch's (bench/alexnet_torch.py reports its process time too).
 *
 * @module
 */

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * Milliseconds of CPU (user + system) this process has used so far, or
 * undefined where /proc/self/stat cannot be read (not Linux, no permission).
 *
 * @returns CPU milliseconds, at 10 ms resolution
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { processCpuMs } from "./cpu_time.ts";
 * const ms = processCpuMs();
 * assert.ok(ms === undefined || ms >= 0);
 * ```
 */
export function processCpuMs(): number | undefined {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    // fields after the command name (which may hold spaces), from field 3 on
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return Number.isFinite(ticks) ? ticks * 1000 / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}
