/**
 * Dispatcher of `shaders/reduce.wgsl`: sum, max or min over the middle axis
 * of a [outer, R, inner] view, with the index of the extreme for max/min.
 *
 * @module
 */
import { allocate, release } from "./buffer_pool.ts";
import { fillTemplate, pipeline, shaderSource } from "./pipeline_cache.ts";
import { dispatch } from "./recorder.ts";
import { tuning } from "./tuning.ts";

/** The reductions the shader knows. */
export type ReduceOp = "sum" | "max" | "min";

const WG = 64;

// How each op folds a value into a running result. Sum adds; max and min
// select through the shader's `better` and keep the index (0xffffffff marks
// "nothing yet": the first value is taken whatever it is, so a row of -inf
// has the maximum -inf, not the initial -FLT_MAX).
const SELECT = {
  accumulateFirst:
    "if (best_index == 0xffffffffu || better(v, r, best, best_index)) { best = v; best_index = r; }",
  merge: "if (iv != 0xffffffffu && (shared_index[lid] == 0xffffffffu || " +
    "better(v, iv, shared_value[lid], shared_index[lid]))) { shared_value[lid] = v; shared_index[lid] = iv; }",
};
const REDUCE_WGSL: Record<ReduceOp, Record<string, string>> = {
  sum: {
    INIT: "0.0",
    BETTER: "return false;",
    ACCUMULATE_FIRST: "best += v; best_index = 0u;",
    MERGE: "shared_value[lid] += v;",
  },
  max: {
    INIT: "-3.4028235e38",
    BETTER:
      "return select(!is_nan(best) && (v > best || (v == best && iv < ib)), !is_nan(best) || iv < ib, is_nan(v));",
    ACCUMULATE_FIRST: SELECT.accumulateFirst,
    MERGE: SELECT.merge,
  },
  min: {
    INIT: "3.4028235e38",
    BETTER:
      "return select(!is_nan(best) && (v < best || (v == best && iv < ib)), !is_nan(best) || iv < ib, is_nan(v));",
    ACCUMULATE_FIRST: SELECT.accumulateFirst,
    MERGE: SELECT.merge,
  },
};

function shader(op: ReduceOp, perGroup: boolean, withIndex: boolean): string {
  return fillTemplate(shaderSource("reduce"), {
    PER_GROUP: String(perGroup),
    WITH_INDEX: String(withIndex),
    ...REDUCE_WGSL[op],
  });
}

/** Values (and indices, as f32, for max/min when asked) of a reduction. */
export interface ReduceResult {
  values: GPUBuffer;
  indices?: GPUBuffer;
}

/** Reduces `x`, viewed as [outer, r, inner], over its middle axis. */
export function reduce(
  op: ReduceOp,
  x: GPUBuffer,
  outer: number,
  r: number,
  inner: number,
  withIndex = false,
): ReduceResult {
  const outputs = outer * inner;
  // few outputs of a long axis: a workgroup shares each (tuning.ts)
  const perGroup = outputs < tuning.sharedReductionOutputs && r >= 256;
  const wantIndex = withIndex && op !== "sum";
  const values = allocate(outputs * 4, `${op} reduce`);
  const indices = allocate(wantIndex ? outputs * 4 : 4, `${op} reduce indices`);
  const compiled = pipeline(
    `reduce|${op}|${perGroup}|${wantIndex}`,
    () => shader(op, perGroup, wantIndex),
  );
  dispatch({
    label: `${op} reduce`,
    pipeline: compiled,
    buffers: [x, values, indices],
    uniforms: new Uint32Array([outer, r, inner, 0]),
    workgroups: [perGroup ? outputs : Math.ceil(outputs / WG)],
  });
  if (wantIndex) return { values, indices };
  release(indices);
  return { values };
}
