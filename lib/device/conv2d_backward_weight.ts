/**
 * Conv2d backward-weight on the lavapipe family: a register-block implicit
 * GEMM (m = output channel, n = (c, ky, kx), k = (sample, oy, ox)) with
 * both operands, gy and x, gathered value by value (zero in the padding).
 *
 * @module
 */
import type { Conv2dShape } from "./conv2d.ts";
import { convParams, fillConv } from "./conv2d_template.ts";
import { convGeometry } from "./conv2d_geometry.ts";
import { pipeline } from "./pipeline_cache.ts";
import { registerBlock, type TileOperand } from "./register_block.ts";
import { dispatchTiled } from "./tiled_dispatch.ts";
import type { GemmTiling } from "./tuning.ts";

/** A row operand gathered by scalar loads: `index(i, kk)` is the float index of A(row i, k + kk). */
function gatheredRows(
  tile: GemmTiling,
  ks: number,
  perStep: (kk: number) => string[],
  index: (i: number, kk: number) => string,
): TileOperand {
  const setup: string[] = [];
  for (let i = 0; i < tile.rows; i++) {
    setup.push(`let ar_${i} = min(row0 + ${i}u, M - 1u);`);
  }
  const load: string[] = [];
  for (let kk = 0; kk < ks; kk++) {
    load.push(...perStep(kk));
    for (let i = 0; i < tile.rows; i++) {
      load.push(`let a_${i}_${kk} = a[${index(i, kk)}];`);
    }
  }
  return { setup, load, value: (i, kk) => `a_${i}_${kk}` };
}

/** x at (ih, iw) of the plane starting at `base`, zero in the padding. */
const X_AT_2D = `fn x_at2(base: u32, ih: i32, iw: i32, h: i32, w: i32) -> f32 {
  let inside = ih >= 0 && ih < h && iw >= 0 && iw < w;
  let v = b[base + u32(clamp(ih, 0, h - 1)) * u32(w) + u32(clamp(iw, 0, w - 1))];
  return select(0.0, v, inside);
}`;

function weightGradientShader(tile: GemmTiling, ks: number): string {
  // A(o, (n, oh, ow)) = gy; B((n, oh, ow), (c, kh, kw)) = x gathered
  const a = gatheredRows(tile, ks, (kk) => [
    `let q_${kk} = k + ${kk}u;`,
    `let qn_${kk} = q_${kk} / OHW;`,
    `let qp_${kk} = q_${kk} % OHW;`,
    `let qa_${kk} = (qn_${kk} * p.oc + g * p.ocg) * OHW + qp_${kk};`,
    `let qy_${kk} = i32(qp_${kk} / p.ow) * p.sh;`,
    `let qx_${kk} = i32(qp_${kk} % p.ow) * p.sw;`,
    `let qb_${kk} = qn_${kk} * p.c * HW;`,
  ], (i, kk) => `qa_${kk} + ar_${i} * OHW`);
  const setup: string[] = [`let col0 = col_tile * ${tile.cols}u;`];
  for (let t = 0; t < tile.cols; t++) {
    setup.push(
      `let bc_${t} = min(col0 + ${t}u, N - 1u);`,
      `let br_${t} = bc_${t} % KHW;`,
      `let bh_${t} = i32(br_${t} / p.kw) * p.dh - p.ph;`,
      `let bw_${t} = i32(br_${t} % p.kw) * p.dw - p.pw;`,
      `let bo_${t} = (g * p.cg + bc_${t} / KHW) * HW;`,
    );
  }
  const load: string[] = [];
  for (let kk = 0; kk < ks; kk++) {
    for (let t = 0; t < tile.cols; t++) {
      load.push(
        `let b_${kk}_${t} = x_at2(bo_${t} + qb_${kk}, bh_${t} + qy_${kk}, bw_${t} + qx_${kk}, h_i32, w_i32);`,
      );
    }
  }
  const b: TileOperand = {
    setup,
    load,
    value: (j, kk) =>
      `vec4<f32>(${
        [0, 1, 2, 3].map((q) => `b_${kk}_${4 * j + q}`).join(", ")
      })`,
  };
  const code = registerBlock(tile, ks, a, b, (i, j, value) => {
    const lines = [`if (row0 + ${i}u < M) {`];
    for (let q = 0; q < 4; q++) {
      const col = `col0 + ${4 * j + q}u`;
      lines.push(
        `  if (${col} < N) { out[(g * p.ocg + row0 + ${i}u) * N + ${col}] = ${value}.${
          "xyzw"[q]
        }; }`,
      );
    }
    lines.push("}");
    return lines;
  });
  const loop = `  for (var k = 0u; k < K; k += ${ks}u) {
${code.STEP}
  }`;
  return fillConv(
    tile,
    "scalar",
    "scalar",
    false,
    [X_AT_2D],
    code.SETUP,
    code.ACCUMULATORS,
    loop,
    code.STORE,
  );
}

/**
 * Records gw = the weight gradient of conv2d into `out` with the register
 * GEMM kernel tiled by `tile`.
 */
export function registerBackwardWeight(
  x: GPUBuffer,
  gy: GPUBuffer,
  out: GPUBuffer,
  s: Conv2dShape,
  tile: GemmTiling,
): void {
  const g = convGeometry(s);
  const ks = 1;
  const key =
    `conv2d|weight|${tile.rows}x${tile.cols}/${tile.groupX}x${tile.groupY}|${ks}`;
  const compiled = pipeline(key, () => weightGradientShader(tile, ks));
  const n = g.cg * g.kh * g.kw;
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
    k: g.batch * g.oh * g.ow,
    aGroupStride: 0,
  });
  dispatchTiled(
    "conv2d weight gradient",
    compiled,
    [
      { kind: "buffer", buffer: gy },
      { kind: "buffer", buffer: x },
      { kind: "buffer", buffer: out },
    ],
    params,
    [
      Math.ceil(n / (tile.cols * tile.groupX)),
      Math.ceil(g.ocg / (tile.rows * tile.groupY)),
      s.groups,
    ],
  );
}
