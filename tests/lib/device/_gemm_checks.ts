// The float64 oracles of the GEMM families (matmul and the three conv2d
// products) and the checks that run a dispatcher on random data against
// them, with a tolerance relative to the sum of |products| of each output.
import { matmul, type MatmulShape } from "../../../lib/device/matmul.ts";
import {
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dForward,
  type Conv2dShape,
} from "../../../lib/device/conv2d.ts";
import { release } from "../../../lib/device/buffer_pool.ts";
import { assertClose, fromGpu, randomFloats, toGpu } from "./_helpers.ts";

/** float32 accumulation error stays well under this fraction of sum |a*b|. */
const TOLERANCE = 1e-5;

/** Plain float64 oracle: C[z, i, j] = sum_p A(z, i, p) B(z, p, j) (+ bias[j]). */
function matmulOracle(
  a: Float32Array,
  b: Float32Array,
  s: Required<MatmulShape>,
  bias?: Float32Array,
): { value: Float64Array; scale: Float64Array } {
  const { batch, m, n, k } = s;
  const value = new Float64Array(batch * m * n);
  const scale = new Float64Array(batch * m * n);
  for (let z = 0; z < batch; z++) {
    const aBase = s.batchA === 1 ? 0 : z * m * k;
    const bBase = s.batchB === 1 ? 0 : z * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = bias ? bias[j] : 0;
        let abs = bias ? Math.abs(bias[j]) : 0;
        for (let p = 0; p < k; p++) {
          const x = a[aBase + (s.transA ? p * m + i : i * k + p)];
          const y = b[bBase + (s.transB ? j * k + p : p * n + j)];
          sum += x * y;
          abs += Math.abs(x * y);
        }
        value[(z * m + i) * n + j] = sum;
        scale[(z * m + i) * n + j] = abs;
      }
    }
  }
  return { value, scale };
}

/**
 * Runs matmul on random data and compares it with the float64 oracle
 * (plus a bias, then a ReLU, when asked).
 */
export async function checkMatmul(
  shape: MatmulShape,
  withBias = false,
  seed = 1,
  relu = false,
): Promise<void> {
  const s: Required<MatmulShape> = {
    transA: false,
    transB: false,
    batchA: shape.batch,
    batchB: shape.batch,
    ...shape,
  };
  const a = randomFloats(s.batchA * s.m * s.k, seed);
  const b = randomFloats(s.batchB * s.k * s.n, seed + 1);
  const bias = withBias ? randomFloats(s.n, seed + 2) : undefined;
  const [ga, gb] = [toGpu(a), toGpu(b)];
  const gbias = bias ? toGpu(bias) : undefined;
  const out = matmul(ga, gb, shape, gbias, { relu });
  const got = await fromGpu(out, s.batch * s.m * s.n);
  [ga, gb, ...(gbias ? [gbias] : [])].forEach(release);
  const want = matmulOracle(a, b, s, bias);
  if (relu) want.value.forEach((v, i) => want.value[i] = Math.max(0, v));
  assertClose(
    got,
    want.value,
    want.scale,
    TOLERANCE,
    `matmul ${JSON.stringify(shape)}${relu ? " relu" : ""}`,
  );
}

/** A conv layer in few numbers; pairs are [height, width]. */
export interface Layer {
  batch: number;
  c: number;
  h: number;
  w: number;
  oc: number;
  k: number | [number, number];
  stride?: number | [number, number];
  pad?: number | [number, number];
  dilation?: number | [number, number];
  groups?: number;
}

function pair(
  v: number | [number, number] | undefined,
  fallback: number,
): [number, number] {
  return v === undefined
    ? [fallback, fallback]
    : typeof v === "number"
    ? [v, v]
    : v;
}

/** The device shape of a layer. */
export function shapeOf(l: Layer): Conv2dShape {
  const [kh, kw] = pair(l.k, 1);
  const [sh, sw] = pair(l.stride, 1);
  const [ph, pw] = pair(l.pad, 0);
  const [dh, dw] = pair(l.dilation, 1);
  return {
    batch: l.batch,
    inChannels: l.c,
    inHeight: l.h,
    inWidth: l.w,
    outChannels: l.oc,
    kernelHeight: kh,
    kernelWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    padHeight: ph,
    padWidth: pw,
    dilationHeight: dh,
    dilationWidth: dw,
    groups: l.groups ?? 1,
    outHeight: Math.floor((l.h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1,
    outWidth: Math.floor((l.w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1,
  };
}

/**
 * Plain float64 loops over every (sample, out channel, out pixel, in channel,
 * kernel tap) that meet, handing each product to `visit(yIndex, xIndex,
 * wIndex)`; the three oracles differ only in where they add it.
 */
function eachTap(
  s: Conv2dShape,
  visit: (y: number, x: number, w: number) => void,
): void {
  const cg = s.inChannels / s.groups;
  const ocg = s.outChannels / s.groups;
  for (let n = 0; n < s.batch; n++) {
    for (let o = 0; o < s.outChannels; o++) {
      const g = Math.floor(o / ocg);
      for (let oy = 0; oy < s.outHeight; oy++) {
        for (let ox = 0; ox < s.outWidth; ox++) {
          const y = ((n * s.outChannels + o) * s.outHeight + oy) * s.outWidth +
            ox;
          for (let c = 0; c < cg; c++) {
            for (let ky = 0; ky < s.kernelHeight; ky++) {
              const iy = oy * s.strideHeight - s.padHeight +
                ky * s.dilationHeight;
              if (iy < 0 || iy >= s.inHeight) continue;
              for (let kx = 0; kx < s.kernelWidth; kx++) {
                const ix = ox * s.strideWidth - s.padWidth +
                  kx * s.dilationWidth;
                if (ix < 0 || ix >= s.inWidth) continue;
                const x = ((n * s.inChannels + g * cg + c) * s.inHeight + iy) *
                    s.inWidth + ix;
                const w = ((o * cg + c) * s.kernelHeight + ky) * s.kernelWidth +
                  kx;
                visit(y, x, w);
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Runs the conv2d products on random data and compares each with the
 * float64 oracle (forward with a bias, then a ReLU when asked).
 */
export async function checkConv(
  layer: Layer,
  products = ["forward", "input", "weight"],
  seed = 3,
  relu = false,
): Promise<void> {
  const s = shapeOf(layer);
  const cg = s.inChannels / s.groups;
  const xs = randomFloats(
    s.batch * s.inChannels * s.inHeight * s.inWidth,
    seed,
  );
  const ws = randomFloats(
    s.outChannels * cg * s.kernelHeight * s.kernelWidth,
    seed + 1,
  );
  const gys = randomFloats(
    s.batch * s.outChannels * s.outHeight * s.outWidth,
    seed + 2,
  );
  const bias = randomFloats(s.outChannels, seed + 3);
  const [x, w, gy, b] = [toGpu(xs), toGpu(ws), toGpu(gys), toGpu(bias)];
  const name = JSON.stringify(layer);
  if (products.includes("forward")) {
    const want = new Float64Array(gys.length);
    const scale = new Float64Array(gys.length);
    for (let i = 0; i < want.length; i++) {
      const o = Math.floor(i / (s.outHeight * s.outWidth)) % s.outChannels;
      want[i] = bias[o];
      scale[i] = Math.abs(bias[o]);
    }
    eachTap(s, (y, xi, wi) => {
      want[y] += xs[xi] * ws[wi];
      scale[y] += Math.abs(xs[xi] * ws[wi]);
    });
    if (relu) want.forEach((v, i) => want[i] = Math.max(0, v));
    const got = await fromGpu(
      conv2dForward(x, w, b, s, { relu }),
      want.length,
    );
    assertClose(got, want, scale, TOLERANCE, `conv2dForward ${name}`);
  }
  if (products.includes("input")) {
    const want = new Float64Array(xs.length);
    const scale = new Float64Array(xs.length);
    eachTap(s, (y, xi, wi) => {
      want[xi] += gys[y] * ws[wi];
      scale[xi] += Math.abs(gys[y] * ws[wi]);
    });
    const got = await fromGpu(conv2dBackwardInput(gy, w, s), want.length);
    assertClose(got, want, scale, TOLERANCE, `conv2dBackwardInput ${name}`);
  }
  if (products.includes("weight")) {
    const want = new Float64Array(ws.length);
    const scale = new Float64Array(ws.length);
    eachTap(s, (y, xi, wi) => {
      want[wi] += gys[y] * xs[xi];
      scale[wi] += Math.abs(gys[y] * xs[xi]);
    });
    const got = await fromGpu(conv2dBackwardWeight(x, gy, s), want.length);
    assertClose(got, want, scale, TOLERANCE, `conv2dBackwardWeight ${name}`);
  }
  [x, w, gy, b].forEach(release);
}

/**
 * Stride-1 3x3 and 5x5 layers that Winograd F(2x2, KxK) and F(4x4, KxK)
 * run: odd output sizes and sizes one past a multiple of 4 (tiles past the
 * edge), padding 0 to K - 1 (backward-input pads by K - 1 - pad), groups,
 * batch 1 to 3, channels neither a tile nor a multiple of 4, and multiples
 * of 4.
 */
export const WINOGRAD_LAYERS: Layer[] = [
  { batch: 2, c: 5, h: 7, w: 9, oc: 33, k: 3, pad: 1 },
  { batch: 1, c: 4, h: 6, w: 5, oc: 6, k: 3, groups: 2 },
  { batch: 3, c: 3, h: 5, w: 8, oc: 4, k: 3, pad: [2, 1] },
  { batch: 1, c: 1, h: 3, w: 3, oc: 1, k: 3 },
  { batch: 2, c: 3, h: 13, w: 8, oc: 4, k: 3, pad: 1 },
  // channels per group multiples of 4
  { batch: 2, c: 8, h: 6, w: 7, oc: 8, k: 3, pad: 1, groups: 2 },
  { batch: 1, c: 4, h: 7, w: 5, oc: 8, k: 5, pad: 2 },
  // 5x5 kernels: F(TxT, 5x5), A = 6 or 8
  { batch: 2, c: 3, h: 7, w: 6, oc: 5, k: 5, pad: 2 },
  { batch: 1, c: 4, h: 9, w: 8, oc: 6, k: 5, pad: [1, 4], groups: 2 },
];
