import {
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dForward,
  type Conv2dShape,
} from "../../../lib/device/conv2d.ts";
import { release } from "../../../lib/device/buffer_pool.ts";
import { tuning, tuningFor } from "../../../lib/device/tuning.ts";
import {
  assertClose,
  fromGpu,
  randomFloats,
  SMALL_TILES,
  toGpu,
  withTuning,
} from "./_helpers.ts";

/** float32 accumulation error stays well under this fraction of sum |products|. */
const TOLERANCE = 1e-5;

interface Layer {
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

function shapeOf(l: Layer): Conv2dShape {
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

async function check(
  layer: Layer,
  products = ["forward", "input", "weight"],
  seed = 3,
) {
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
    const got = await fromGpu(conv2dForward(x, w, b, s), want.length);
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

Deno.test("conv2d matches the oracle with stride, padding and dilation", async () => {
  await withTuning(SMALL_TILES, async () => {
    await check({ batch: 2, c: 3, h: 9, w: 11, oc: 5, k: 3, pad: 1 });
    await check({
      batch: 1,
      c: 2,
      h: 13,
      w: 10,
      oc: 7,
      k: [3, 2],
      stride: [2, 3],
      pad: [2, 1],
    });
    await check({
      batch: 2,
      c: 4,
      h: 12,
      w: 12,
      oc: 36,
      k: 3,
      dilation: 2,
      pad: 2,
    });
    await check({ batch: 1, c: 1, h: 1, w: 1, oc: 1, k: 1 });
  });
});

Deno.test("conv2d with the wide tile: odd rows and channels, short rows", async () => {
  await withTuning(SMALL_TILES, async () => {
    // 40 output channels take the wide tile, whose invocations cover two
    // output rows (7 is odd) and two input channels per step (5 is odd)
    await check({ batch: 2, c: 5, h: 7, w: 9, oc: 40, k: 3, pad: 1 });
    await check({
      batch: 1,
      c: 36,
      h: 9,
      w: 21,
      oc: 6,
      k: [5, 3],
      pad: [2, 1],
    });
    await check({ batch: 1, c: 33, h: 11, w: 11, oc: 4, k: 3, stride: 2 }, [
      "input",
    ]);
  });
});

Deno.test("conv2d matches the oracle with groups", async () => {
  await withTuning(SMALL_TILES, async () => {
    await check({ batch: 2, c: 6, h: 7, w: 8, oc: 4, k: 3, pad: 1, groups: 2 });
    await check({
      batch: 1,
      c: 8,
      h: 6,
      w: 6,
      oc: 40,
      k: [1, 3],
      groups: 4,
      stride: 2,
    });
  });
});

Deno.test("conv2d at AlexNet's first layer (1 -> 96, k11 s4 p1, 224x224)", async () => {
  await check({
    batch: 1,
    c: 1,
    h: 224,
    w: 224,
    oc: 96,
    k: 11,
    stride: 4,
    pad: 1,
  });
});

Deno.test("conv2d at AlexNet's second layer (96 -> 256, k5 p2, 26x26, groups 1 and 2)", async () => {
  await check({ batch: 1, c: 96, h: 26, w: 26, oc: 256, k: 5, pad: 2 }, [
    "forward",
  ]);
  await check({
    batch: 1,
    c: 96,
    h: 26,
    w: 26,
    oc: 256,
    k: 5,
    pad: 2,
    groups: 2,
  });
});

Deno.test("conv2d at AlexNet's third layer (256 -> 384, k3 p1, 12x12)", async () => {
  await check({ batch: 1, c: 256, h: 12, w: 12, oc: 384, k: 3, pad: 1 });
});

Deno.test("conv2d is right with the discrete-GPU tiling too", async () => {
  await withTuning(
    tuningFor(tuning.kind === "cpu" ? "gpu" : "cpu"),
    async () => {
      await check({
        batch: 2,
        c: 6,
        h: 9,
        w: 10,
        oc: 40,
        k: 3,
        pad: 1,
        groups: 2,
      });
      await check({
        batch: 1,
        c: 2,
        h: 15,
        w: 13,
        oc: 8,
        k: 5,
        stride: 3,
        pad: 2,
      });
    },
  );
});
