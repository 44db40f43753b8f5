/**
 * Rows shared across a subgroup, for the register-block kernels. The lanes
 * of one workgroup of those kernels compute the same rows of C (side by
 * side along the columns), so each would fetch the same A values: on
 * lavapipe every fetch is a gather of 8 lanes, the dearest thing in the
 * kernel. Where a workgroup is exactly one subgroup, each lane instead
 * makes 1/lanes of the row operand's vec4 fetches and `subgroupBroadcast`
 * hands them to the others, which on lavapipe is a lane extract and a splat
 * in registers. No `enable subgroups;` in the shaders: Deno 2.9's Naga
 * rejects that directive and takes the builtins without it.
 *
 * @module
 */
import { adapter, gpu } from "./webgpu.ts";

// Deno's GPUAdapterInfo type lacks the subgroup sizes it reports
const info = adapter.info as GPUAdapterInfo & {
  subgroupMinSize?: number;
  subgroupMaxSize?: number;
};
/** The subgroup size where the device has subgroups and it never varies, else 0. */
const fixedSize = gpu.features.has("subgroups" as GPUFeatureName) &&
    info.subgroupMinSize !== undefined &&
    info.subgroupMinSize === info.subgroupMaxSize
  ? info.subgroupMinSize
  : 0;
let enabled = fixedSize > 0;

/**
 * The lanes that share one block's rows in a workgroup of `groupX` x
 * `groupY` invocations: the subgroup size where that workgroup is exactly
 * one subgroup one row of blocks high and sharing is on, else 0 (none).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert";
 * import { sharingLanes } from "./subgroups.ts";
 * ok([0, 8].includes(sharingLanes(8, 1)));
 * ok(sharingLanes(8, 2) === 0);
 * ```
 *
 * @param groupX invocations along the columns of C
 * @param groupY invocations along the rows of C
 * @returns the lanes, or 0
 */
export function sharingLanes(groupX: number, groupY: number): number {
  return enabled && groupY === 1 && groupX === fixedSize ? fixedSize : 0;
}

/**
 * Turns sharing on or off from now on; the tests run both ways. Kernels put
 * {@link sharingLanes} in their pipeline keys.
 *
 * @param on whether to share
 * @returns whether sharing was on before
 * @throws where `on` and this device has no subgroups of one fixed size
 */
export function setSubgroupSharing(on: boolean): boolean {
  if (on && fixedSize === 0) {
    throw new Error(
      "This device has no subgroups of one fixed size to share rows in",
    );
  }
  const previous = enabled;
  enabled = on;
  return previous;
}

/** The WGSL parameter of `main` that gives the lane, where `lanes` > 0. */
export function laneParameter(lanes: number): string {
  return lanes > 0 ? "\n  @builtin(subgroup_invocation_id) lane: u32," : "";
}

/**
 * WGSL lines that hand each of `count` fetches to every lane: fetch p,
 * which lane p % `lanes` made as its `fetched(p / lanes)`, becomes the
 * value `name(p)` in all of them.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { broadcastLines } from "./subgroups.ts";
 * deepStrictEqual(
 *   broadcastLines(2, 8, (q) => `f_${q}`, (p) => `a_${p}`),
 *   ["let a_0 = subgroupBroadcast(f_0, 0u);", "let a_1 = subgroupBroadcast(f_0, 1u);"],
 * );
 * ```
 *
 * @param count the fetches
 * @param lanes the lanes that share them
 * @param fetched the name of a lane's q-th fetch
 * @param name the name every lane gives fetch p
 * @returns one line per fetch
 */
export function broadcastLines(
  count: number,
  lanes: number,
  fetched: (q: number) => string,
  name: (p: number) => string,
): string[] {
  return Array.from(
    { length: count },
    (_, p) =>
      `let ${name(p)} = subgroupBroadcast(${fetched(Math.floor(p / lanes))}, ${
        p % lanes
      }u);`,
  );
}
