/**
 * The float64 reference: every primitive as plain loops over Float64Array,
 * short enough to trust by eye. Tests compare the GPU against these, and
 * take finite differences of them for gradients.
 */

/** A row-major float64 array. */
export interface Nd {
  shape: number[];
  data: Float64Array;
}

export function nd(shape: number[], data: ArrayLike<number>): Nd {
  return { shape: [...shape], data: Float64Array.from(data) };
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((p, s) => p * s, 1);
}

export function strides(shape: readonly number[]): number[] {
  const s = new Array(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

/** Coordinates of flat index i. */
export function coords(i: number, shape: readonly number[]): number[] {
  const c = new Array(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return c;
}

export function broadcastShape(
  a: readonly number[],
  b: readonly number[],
): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    return x === 1 ? y : x;
  });
}

/** Value of `x` at the output coordinates `c` under broadcasting. */
function at(x: Nd, c: number[]): number {
  let index = 0;
  const s = strides(x.shape);
  const lead = c.length - x.shape.length;
  for (let d = 0; d < x.shape.length; d++) {
    index += (x.shape[d] === 1 ? 0 : c[lead + d]) * s[d];
  }
  return x.data[index];
}

export function map(f: (...v: number[]) => number, ...xs: Nd[]): Nd {
  const shape = xs.map((x) => x.shape).reduce(broadcastShape);
  const out = new Float64Array(numel(shape));
  for (let i = 0; i < out.length; i++) {
    const c = coords(i, shape);
    out[i] = f(...xs.map((x) => at(x, c)));
  }
  return { shape, data: out };
}

export function sum(
  x: Nd,
  dims: number[] = x.shape.map((_, d) => d),
  keepdim = false,
): Nd {
  const kept = x.shape.map((s, d) => dims.includes(d) ? 1 : s);
  const out = new Float64Array(numel(kept));
  const ks = strides(kept);
  for (let i = 0; i < x.data.length; i++) {
    const c = coords(i, x.shape);
    let o = 0;
    c.forEach((v, d) => o += (dims.includes(d) ? 0 : v) * ks[d]);
    out[o] += x.data[i];
  }
  return {
    shape: keepdim ? kept : x.shape.filter((_, d) => !dims.includes(d)),
    data: out,
  };
}

export function extreme(
  x: Nd,
  dim: number,
  max: boolean,
): { values: Nd; indices: Nd } {
  const outer = numel(x.shape.slice(0, dim));
  const size = x.shape[dim];
  const inner = numel(x.shape.slice(dim + 1));
  const values = new Float64Array(outer * inner);
  const indices = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let best = x.data[o * size * inner + j];
      let bi = 0;
      for (let r = 1; r < size; r++) {
        const v = x.data[(o * size + r) * inner + j];
        if (max ? v > best : v < best) [best, bi] = [v, r];
      }
      values[o * inner + j] = best;
      indices[o * inner + j] = bi;
    }
  }
  const shape = x.shape.filter((_, d) => d !== dim);
  return { values: { shape, data: values }, indices: { shape, data: indices } };
}

export function permute(x: Nd, order: number[]): Nd {
  const shape = order.map((d) => x.shape[d]);
  const s = strides(x.shape);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const c = coords(i, shape);
    out[i] = x.data[c.reduce((acc, v, d) => acc + v * s[order[d]], 0)];
  }
  return { shape, data: out };
}

/** Batched matmul of [..., m, k] @ [..., k, n] with broadcast batch dims. */
export function matmul(a: Nd, b: Nd): Nd {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape.at(-1)!;
  const batchShape = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = numel(batchShape);
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const c = coords(t, batchShape);
    const offset = (x: Nd, size: number) => {
      const bs = x.shape.slice(0, -2);
      let o = 0;
      const st = strides(bs);
      const lead = c.length - bs.length;
      bs.forEach((s, d) => o += (s === 1 ? 0 : c[lead + d]) * st[d]);
      return o * size;
    };
    const ao = offset(a, m * k);
    const bo = offset(b, k * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) {
          acc += a.data[ao + i * k + p] * b.data[bo + p * n + j];
        }
        out[t * m * n + i * n + j] = acc;
      }
    }
  }
  return { shape: [...batchShape, m, n], data: out };
}

export interface ConvParams {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

export function conv2d(x: Nd, w: Nd, bias: Nd | undefined, p: ConvParams): Nd {
  const [n, c, h, wd] = x.shape;
  const [oc, cg, kh, kw] = w.shape;
  const oh = Math.floor(
    (h + 2 * p.padding[0] - p.dilation[0] * (kh - 1) - 1) / p.stride[0],
  ) + 1;
  const ow = Math.floor(
    (wd + 2 * p.padding[1] - p.dilation[1] * (kw - 1) - 1) / p.stride[1],
  ) + 1;
  const out = new Float64Array(n * oc * oh * ow);
  const ocg = oc / p.groups;
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < oc; o++) {
      const g = Math.floor(o / ocg);
      for (let y = 0; y < oh; y++) {
        for (let xx = 0; xx < ow; xx++) {
          let acc = bias ? bias.data[o] : 0;
          for (let ci = 0; ci < cg; ci++) {
            for (let ky = 0; ky < kh; ky++) {
              const iy = y * p.stride[0] - p.padding[0] + ky * p.dilation[0];
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = xx * p.stride[1] - p.padding[1] + kx * p.dilation[1];
                if (ix < 0 || ix >= wd) continue;
                acc += x.data[((b * c + g * cg + ci) * h + iy) * wd + ix] *
                  w.data[((o * cg + ci) * kh + ky) * kw + kx];
              }
            }
          }
          out[((b * oc + o) * oh + y) * ow + xx] = acc;
        }
      }
    }
  }
  return { shape: [n, oc, oh, ow], data: out };
}

export function pool2d(
  x: Nd,
  kind: "max" | "avg",
  kernel: [number, number],
  stride: [number, number],
  padding: [number, number],
): Nd {
  const [h, w] = x.shape.slice(-2);
  const planes = numel(x.shape) / (h * w);
  const oh = Math.floor((h + 2 * padding[0] - kernel[0]) / stride[0]) + 1;
  const ow = Math.floor((w + 2 * padding[1] - kernel[1]) / stride[1]) + 1;
  const out = new Float64Array(planes * oh * ow);
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        let best = -Infinity;
        let total = 0;
        for (let ky = 0; ky < kernel[0]; ky++) {
          for (let kx = 0; kx < kernel[1]; kx++) {
            const iy = y * stride[0] - padding[0] + ky;
            const ix = xx * stride[1] - padding[1] + kx;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            const v = x.data[(p * h + iy) * w + ix];
            best = Math.max(best, v);
            total += v;
          }
        }
        out[(p * oh + y) * ow + xx] = kind === "max"
          ? best
          : total / (kernel[0] * kernel[1]);
      }
    }
  }
  return { shape: [...x.shape.slice(0, -2), oh, ow], data: out };
}

export function logSoftmax(x: Nd): Nd {
  const [rows, cols] = x.shape;
  const out = new Float64Array(x.data.length);
  for (let r = 0; r < rows; r++) {
    const row = x.data.subarray(r * cols, (r + 1) * cols);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((acc, v) => acc + Math.exp(v - m), 0));
    for (let c = 0; c < cols; c++) out[r * cols + c] = row[c] - lse;
  }
  return { shape: x.shape, data: out };
}

export function crossEntropy(
  logits: Nd,
  target: number[],
  smoothing = 0,
): number {
  const lp = logSoftmax(logits);
  const [rows, cols] = logits.shape;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const weight = (c === target[r] ? 1 - smoothing : 0) + smoothing / cols;
      total -= weight * lp.data[r * cols + c];
    }
  }
  return total / rows;
}

/** PyTorch's local_response_norm: a / (k + alpha * mean of a^2 over the window)^beta. */
export function localResponseNorm(
  x: Nd,
  size: number,
  alpha: number,
  beta: number,
  k: number,
): Nd {
  const [n, c] = x.shape;
  const spatial = numel(x.shape) / (n * c);
  const out = new Float64Array(x.data.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let s = 0; s < spatial; s++) {
        let acc = 0;
        for (
          let j = ch - Math.floor(size / 2);
          j <= ch + Math.floor((size - 1) / 2);
          j++
        ) {
          if (j >= 0 && j < c) acc += x.data[(b * c + j) * spatial + s] ** 2;
        }
        const i = (b * c + ch) * spatial + s;
        out[i] = x.data[i] / (k + alpha * acc / size) ** beta;
      }
    }
  }
  return { shape: x.shape, data: out };
}
