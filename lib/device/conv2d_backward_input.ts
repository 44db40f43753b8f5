/**
 * Conv2d backward-input on the DIRECT kernel (conv2d_direct.ts): for
 * stride 1 a forward convolution of gy with the kernel flipped and the
 * channels swapped, padding KH-1-p; for stride s one such convolution per
 * stride phase (input pixels with equal (y + p) mod s see the same taps,
 * ceil(K/s) of them), written with stride s into gx, so no tap is spent on
 * positions the stride skips.
 *
 * @module
 */
import { release } from "./buffer_pool.ts";
import type { Conv2dShape } from "./conv2d.ts";
import {
  type Direct,
  direct,
  planDirect,
  releaseStaged,
  stageInput,
} from "./conv2d_direct.ts";
import { axis } from "./conv2d_template.ts";
import { gather } from "./copy.ts";
import type { GemmTiling } from "./tuning.ts";

/** All taps kh of a kernel dimension that reach pixels y = r (mod s): (r + pad - kh*dil) % s == 0. */
function phaseTaps(
  r: number,
  s: number,
  kernel: number,
  pad: number,
  dil: number,
): number[] {
  const taps: number[] = [];
  for (let k = 0; k < kernel; k++) {
    if ((((r + pad - k * dil) % s) + s) % s === 0) taps.push(k);
  }
  return taps;
}

/** One dimension of a stride phase as a forward convolution of gy: taps, step, dilation and padding. */
function phaseDim(
  r: number,
  s: number,
  kernel: number,
  pad: number,
  dil: number,
) {
  const taps = phaseTaps(r, s, kernel, pad, dil);
  if (taps.length === 0) {
    return { count: 0, first: 0, step: 1, dilation: 1, pad: 0 };
  }
  const step = taps.length > 1 ? taps[1] - taps[0] : 1;
  // tap t reads gy row base - t*delta + y' (exact); flipping t turns it into a correlation
  const base = (r + pad - taps[0] * dil) / s;
  const delta = taps.length > 1 ? (step * dil) / s : 1;
  return {
    count: taps.length,
    first: taps[0],
    step,
    dilation: delta,
    pad: delta * (taps.length - 1) - base,
  };
}

/**
 * Records gx = the input gradient of conv2d into `out`: one DIRECT
 * convolution of gy per stride phase, tiled by `base` for phases with at
 * least 32 input channels per group and `thin` below.
 */
export function directBackwardInput(
  gy: GPUBuffer,
  w: GPUBuffer,
  out: GPUBuffer,
  s: Conv2dShape,
  base: GemmTiling,
): void {
  const cg = s.inChannels / s.groups;
  const ocg = s.outChannels / s.groups;
  const khw = s.kernelHeight * s.kernelWidth;
  const phases = [];
  for (let ry = 0; ry < Math.min(s.strideHeight, s.inHeight); ry++) {
    for (let rx = 0; rx < Math.min(s.strideWidth, s.inWidth); rx++) {
      const py = phaseDim(
        ry,
        s.strideHeight,
        s.kernelHeight,
        s.padHeight,
        s.dilationHeight,
      );
      const px = phaseDim(
        rx,
        s.strideWidth,
        s.kernelWidth,
        s.padWidth,
        s.dilationWidth,
      );
      // a phase without taps still runs (zero taps) so that its pixels get zeros
      const d: Direct = {
        batch: s.batch,
        channels: s.outChannels,
        height: s.outHeight,
        width: s.outWidth,
        groups: s.groups,
        cg: ocg,
        ocg: cg,
        kh: px.count === 0 ? 0 : py.count,
        kw: Math.max(1, px.count),
        sh: 1,
        sw: 1,
        ph: py.pad,
        pw: px.pad,
        dh: py.dilation,
        dw: px.dilation,
        oh: Math.ceil((s.inHeight - ry) / s.strideHeight),
        ow: Math.ceil((s.inWidth - rx) / s.strideWidth),
        outChannels: s.inChannels,
        outH: s.inHeight,
        outW: s.inWidth,
        outSy: s.strideHeight,
        outSx: s.strideWidth,
        outY0: ry,
        outX0: rx,
      };
      phases.push({ d, py, px, plan: planDirect(d, base) });
    }
  }
  // one padded copy of gy serves every phase
  const input = stageInput(
    gy,
    phases[0].d,
    phases.map(({ d, plan }) => ({ top: d.ph, left: d.pw, plan })),
  );
  try {
    for (const { d, py, px, plan } of phases) {
      // packed [G, OCg, kh', kw', Cg] = w[g*OCg + o, c, first + step*(count-1-kh'), ...]
      const packed = gather(w, [
        axis(s.groups, ocg * cg * khw, s.groups),
        axis(ocg, cg * khw, ocg),
        axis(
          Math.max(1, d.kh),
          s.kernelWidth,
          s.kernelHeight,
          -py.step,
          py.first + py.step * (py.count - 1),
        ),
        axis(
          d.kw,
          1,
          s.kernelWidth,
          -px.step,
          px.first + px.step * (px.count - 1),
        ),
        axis(cg, khw, cg),
      ]);
      direct(input, packed, undefined, out, d, plan);
      release(packed);
    }
  } finally {
    releaseStaged(input); // also when a dispatch throws
  }
}
