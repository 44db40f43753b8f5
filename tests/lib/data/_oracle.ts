// Float64 oracles of the geometric transforms, written from PyTorch's
// definitions, short enough to check by eye.

/** A batch [N, C, H, W] of float64 values. */
export interface Batch {
  shape: [number, number, number, number];
  data: Float64Array;
}

/** PyTorch's source index for align_corners=False: lower, upper, weight of upper. */
function source(dst: number, inSize: number, outSize: number): number[] {
  const real = Math.max((dst + 0.5) * (inSize / outSize) - 0.5, 0);
  const lower = Math.floor(real);
  return [lower, Math.min(lower + 1, inSize - 1), real - lower];
}

/**
 * Crops box (top, left, h, w) of image `source` of `x` (outside: `fill`),
 * resizes it to oh x ow as F.interpolate(mode="bilinear",
 * align_corners=False), and mirrors it when `flip`.
 */
export function cropResizeOracle(
  x: Batch,
  boxes: {
    source: number;
    top: number;
    left: number;
    height: number;
    width: number;
    flip: boolean;
  }[],
  oh: number,
  ow: number,
  fill = 0,
): Batch {
  const [, c, h, w] = x.shape;
  const out = new Float64Array(boxes.length * c * oh * ow);
  const at = (n: number, ch: number, row: number, col: number) =>
    row < 0 || row >= h || col < 0 || col >= w
      ? fill
      : x.data[((n * c + ch) * h + row) * w + col];
  boxes.forEach((box, m) => {
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < oh; y++) {
        const [y0, y1, ly] = source(y, box.height, oh);
        for (let xo = 0; xo < ow; xo++) {
          const xs = box.flip ? ow - 1 - xo : xo;
          const [x0, x1, lx] = source(xs, box.width, ow);
          const r0 = box.top + y0, r1 = box.top + y1;
          const c0 = box.left + x0, c1 = box.left + x1;
          const top = (1 - lx) * at(box.source, ch, r0, c0) +
            lx * at(box.source, ch, r0, c1);
          const bottom = (1 - lx) * at(box.source, ch, r1, c0) +
            lx * at(box.source, ch, r1, c1);
          out[((m * c + ch) * oh + y) * ow + xo] = (1 - ly) * top + ly * bottom;
        }
      }
    }
  });
  return { shape: [boxes.length, c, oh, ow], data: out };
}

/** Whole-image boxes. */
export function whole(x: Batch, flips: boolean[] = []) {
  const [n, , h, w] = x.shape;
  return Array.from({ length: n }, (_, source) => ({
    source,
    top: 0,
    left: 0,
    height: h,
    width: w,
    flip: flips[source] ?? false,
  }));
}
