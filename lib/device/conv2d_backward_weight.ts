/**
 * Conv2d backward-weight on the lavapipe family: a register-block implicit
 * GEMM (m = output channel, n = (c, ky, kx), k = (sample, oy, ox)) with
 * both operands, gy and x, gathered value by value (zero in the padding).
 *
 * Its output is small and its k long (conv1: 96 x 121 outputs over k =
 * 23,328 at batch 8, three workgroups of 32x16 blocks), so where the blocks
 * make few workgroups the k range is split among several (split-K): each
 * sums its share into a slice of a scratch buffer, and a sum over the
 * slices gives the gradient.
 *
 * @module
 */
import { allocate, release } from "./buffer_pool.ts";
import type { Conv2dShape } from "./conv2d.ts";
import { convParams, fillConv } from "./conv2d_template.ts";
import { convGeometry } from "./conv2d_geometry.ts";
import { pipeline } from "./pipeline_cache.ts";
import { copyBuffer } from "./recorder.ts";
import { reduce } from "./reduce.ts";
import { indent, registerBlock, type TileOperand } from "./register_block.ts";
import { broadcastLines, sharingLanes } from "./subgroups.ts";
import { dispatchTiled } from "./tiled_dispatch.ts";
import type { GemmTiling } from "./tuning.ts";

/** Split-K aims at this many workgroups, enough to keep several cores busy. */
const TARGET_WORKGROUPS = 32;
/** The shortest share of k a split takes: shorter ones cost more in their sum. */
const MIN_SPLIT_K = 1024;

/**
 * How many ways to split k: enough for `workgroups` to reach
 * TARGET_WORKGROUPS, no share shorter than MIN_SPLIT_K (1: no split).
 * A tile's `splitK` caps it.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { splitsOf } from "./conv2d_backward_weight.ts";
 * strictEqual(splitsOf(3, 23328), 11); // conv1 at batch 8
 * strictEqual(splitsOf(3, 2000), 1);
 * strictEqual(splitsOf(40, 23328), 1);
 * ```
 */
export function splitsOf(
  workgroups: number,
  k: number,
  most = Infinity,
): number {
  const wanted = Math.ceil(TARGET_WORKGROUPS / workgroups);
  return Math.max(1, Math.min(wanted, Math.floor(k / MIN_SPLIT_K), most));
}

function weightGradientShader(
  tile: GemmTiling,
  splits: number,
  lanes: number,
): string {
  // A(o, (n, oy, ox)) = gy; B((n, oy, ox), (c, ky, kx)) = x gathered. k
  // runs as rows (n, oy) of ox: the divisions that split an index happen
  // once per row, and so do each column's row offset and y test (integer
  // division is a loop over the lanes on lavapipe).
  const setup: string[] = [
    // workgroup z is (split, group): split s sums rows [r_begin, r_end)
    // into slice s of the output
    `let groups = p.c / p.cg;`,
    `let grp = g % groups;`,
    `let split = g / groups;`,
    `let rows = p.batch * p.oh;`,
    `let share = (rows + ${splits - 1}u) / ${splits}u;`,
    `let r_begin = split * share;`,
    `let r_end = min(rows, r_begin + share);`,
    `let slice = split * p.oc * N;`,
    `let col0 = col_tile * ${tile.cols}u;`,
  ];
  // where a subgroup shares the rows, lane l loads rows l, l + lanes, ...
  const loaded = lanes > 0 ? tile.rows / lanes : tile.rows;
  for (let q = 0; q < loaded; q++) {
    const row = lanes > 0 ? `${q * lanes}u + lane` : `${q}u`;
    setup.push(`let ar_${q} = min(row0 + ${row}, M - 1u) * OHW;`);
  }
  const perRow: string[] = [
    `let qn = r / p.oh;`,
    `let qy = i32(r % p.oh) * p.sh;`,
    `let qa = (qn * p.oc + grp * p.ocg) * OHW + (r % p.oh) * p.ow;`,
    `let qb = qn * p.c * HW;`,
  ];
  const aLoads: string[] = [];
  const fetched = lanes > 0 ? "ash" : "a";
  for (let q = 0; q < loaded; q++) {
    aLoads.push(`let ${fetched}_${q} = a[qa + ox + ar_${q}];`);
  }
  if (lanes > 0) {
    aLoads.push(
      ...broadcastLines(tile.rows, lanes, (q) => `ash_${q}`, (p) => `a_${p}`),
    );
  }
  const bLoads: string[] = [`let qx = i32(ox) * p.sw;`];
  for (let t = 0; t < tile.cols; t++) {
    setup.push(
      `let bc_${t} = min(col0 + ${t}u, N - 1u);`,
      `let br_${t} = bc_${t} % KHW;`,
      `let bh_${t} = i32(br_${t} / p.kw) * p.dh - p.ph;`,
      `let bw_${t} = i32(br_${t} % p.kw) * p.dw - p.pw;`,
      `let bo_${t} = (grp * p.cg + bc_${t} / KHW) * HW;`,
    );
    perRow.push(
      `let iy_${t} = bh_${t} + qy;`,
      `let by_${t} = bo_${t} + qb + u32(clamp(iy_${t}, 0, h_i32 - 1)) * W;`,
      `let yin_${t} = iy_${t} >= 0 && iy_${t} < h_i32;`,
    );
    bLoads.push(
      `let ix_${t} = bw_${t} + qx;`,
      `let b_${t} = select(0.0, b[by_${t} + u32(clamp(ix_${t}, 0, w_i32 - 1))], yin_${t} && ix_${t} >= 0 && ix_${t} < w_i32);`,
    );
  }
  const a: TileOperand = { setup: [], load: aLoads, value: (i) => `a_${i}` };
  const b: TileOperand = {
    setup,
    load: bLoads,
    value: (j) =>
      `vec4<f32>(${[0, 1, 2, 3].map((q) => `b_${4 * j + q}`).join(", ")})`,
  };
  const code = registerBlock(tile, 1, a, b, (i, j, value) => {
    const lines = [`if (row0 + ${i}u < M) {`];
    for (let q = 0; q < 4; q++) {
      const col = `col0 + ${4 * j + q}u`;
      lines.push(
        `  if (${col} < N) { out[slice + (grp * p.ocg + row0 + ${i}u) * N + ${col}] = ${value}.${
          "xyzw"[q]
        }; }`,
      );
    }
    lines.push("}");
    return lines;
  });
  const loop = `  for (var r = r_begin; r < r_end; r++) {
${indent(perRow, 4)}
    for (var ox = 0u; ox < p.ow; ox++) {
${code.STEP.replace(/^/gm, "  ")}
    }
  }`;
  return fillConv(
    tile,
    "scalar",
    "scalar",
    false,
    [],
    code.SETUP,
    code.ACCUMULATORS,
    loop,
    code.STORE,
    lanes,
  );
}

/**
 * Records gw = the weight gradient of conv2d into `out` with the register
 * GEMM kernel tiled by `tile`, its k split where the blocks make few
 * workgroups ({@link splitsOf}).
 */
export function registerBackwardWeight(
  x: GPUBuffer,
  gy: GPUBuffer,
  out: GPUBuffer,
  s: Conv2dShape,
  tile: GemmTiling,
): void {
  const g = convGeometry(s);
  const n = g.cg * g.kh * g.kw;
  const k = g.batch * g.oh * g.ow;
  const grid: [number, number] = [
    Math.ceil(n / (tile.cols * tile.groupX)),
    Math.ceil(g.ocg / (tile.rows * tile.groupY)),
  ];
  const splits = splitsOf(
    grid[0] * grid[1] * s.groups,
    k,
    Math.min(tile.splitK ?? Infinity, g.batch * g.oh),
  );
  const shared = sharingLanes(tile.groupX, tile.groupY);
  const lanes = shared > 0 && tile.rows % shared === 0 ? shared : 0;
  const key =
    `conv2d|weight|${tile.rows}x${tile.cols}/${tile.groupX}x${tile.groupY}|${splits}|${lanes}`;
  const compiled = pipeline(
    key,
    () => weightGradientShader(tile, splits, lanes),
  );
  const params = convParams({
    ...g,
    tilesW: 0,
    outH: 0,
    outW: 0,
    outSy: 0,
    outSx: 0,
    outY0: 0,
    outX0: 0,
    m: g.ocg,
    n,
    k,
    aGroupStride: 0,
  });
  const floats = g.oc * n;
  const slices = splits === 1 ? out : allocate(
    splits * floats * 4,
    "conv2d weight gradient slices",
  );
  dispatchTiled(
    "conv2d weight gradient",
    compiled,
    [
      { kind: "buffer", buffer: gy },
      { kind: "buffer", buffer: x },
      { kind: "buffer", buffer: slices },
    ],
    params,
    [...grid, s.groups * splits],
  );
  if (splits === 1) return;
  const { values } = reduce("sum", slices, 1, splits, floats);
  copyBuffer(values, out, floats * 4);
  // safe right after recording: the commands of one encoder run in order
  release(values);
  release(slices);
}
