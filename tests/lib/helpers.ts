/** Test helpers: seeded host data, closeness with explicit tolerances, gradient checks. */
import { type Tensor, tensor } from "../../lib/mod.ts";
import { type Nd, numel } from "./oracle.ts";

/** A small seeded generator (mulberry32) for host-side test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform values in [lo, hi). */
export function randomData(shape: number[], seed: number, lo = -1, hi = 1): Nd {
  const next = rng(seed);
  return {
    shape,
    data: Float64Array.from(
      { length: numel(shape) },
      () => lo + (hi - lo) * next(),
    ),
  };
}

/** The GPU tensor of an Nd (rounded to float32). */
export function toTensor(x: Nd, requiresGrad = false): Tensor {
  return tensor(Float32Array.from(x.data), { shape: x.shape, requiresGrad });
}

/**
 * Asserts |actual - expected| <= atol + rtol * |expected| elementwise, with
 * the first offending index in the message.
 */
export async function assertClose(
  actual: Tensor | Float32Array,
  expected: Nd | ArrayLike<number>,
  tolerance: { atol?: number; rtol?: number } = {},
  what = "values",
): Promise<void> {
  const { atol = 1e-5, rtol = 1e-4 } = tolerance;
  const values = actual instanceof Float32Array ? actual : await actual.data();
  const want = "data" in expected
    ? (expected as Nd).data
    : expected as ArrayLike<number>;
  if (!(actual instanceof Float32Array) && "shape" in expected) {
    const shape = (expected as Nd).shape;
    if (actual.shape.join() !== shape.join()) {
      throw new Error(
        `${what}: shape [${actual.shape}] != expected [${shape}]`,
      );
    }
  }
  if (values.length !== want.length) {
    throw new Error(
      `${what}: ${values.length} values, expected ${want.length}`,
    );
  }
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < want.length; i++) {
    const error = Math.abs(values[i] - want[i]);
    const bound = atol + rtol * Math.abs(want[i]);
    const nanMismatch = Number.isNaN(values[i]) !== Number.isNaN(want[i]);
    if (nanMismatch || error > bound) {
      const excess = nanMismatch ? Infinity : error - bound;
      if (excess > worstExcess || worst < 0) [worst, worstExcess] = [i, excess];
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${what}: element ${worst} is ${values[worst]}, expected ${
        want[worst]
      } (atol ${atol}, rtol ${rtol})`,
    );
  }
}

/**
 * Checks the gradients of `gpu` (Tensors -> Tensor) against central finite
 * differences of `oracle` (float64) for a random projection of the output:
 * loss = sum(output * weights).
 */
export async function gradcheck(
  inputs: Nd[],
  gpu: (...xs: Tensor[]) => Tensor,
  oracle: (...xs: Nd[]) => Nd,
  options: {
    atol?: number;
    rtol?: number;
    h?: number;
    seed?: number;
    skip?: number[];
  } = {},
): Promise<void> {
  const { atol = 2e-3, rtol = 2e-2, h = 1e-6, seed = 99, skip = [] } = options;
  // Round inputs to float32 so both sides see the same values.
  const rounded = inputs.map((x) => ({
    shape: x.shape,
    data: Float64Array.from(Float32Array.from(x.data)),
  }));
  const reference = oracle(...rounded);
  const weights = randomData(reference.shape, seed);
  const project = (y: Nd) =>
    y.data.reduce((acc, v, i) => acc + v * weights.data[i], 0);
  const xs = rounded.map((x, i) => toTensor(x, !skip.includes(i)));
  const y = gpu(...xs);
  const loss = y.mul(toTensor(weights)).sum();
  loss.backward();
  for (let k = 0; k < rounded.length; k++) {
    if (skip.includes(k)) continue;
    const numeric = new Float64Array(rounded[k].data.length);
    for (let i = 0; i < numeric.length; i++) {
      const plus = rounded.map((x) => ({
        shape: x.shape,
        data: x.data.slice(),
      }));
      const minus = rounded.map((x) => ({
        shape: x.shape,
        data: x.data.slice(),
      }));
      plus[k].data[i] += h;
      minus[k].data[i] -= h;
      numeric[i] = (project(oracle(...plus)) - project(oracle(...minus))) /
        (2 * h);
    }
    if (!xs[k].grad) throw new Error(`input ${k} got no gradient`);
    await assertClose(
      xs[k].grad!,
      numeric,
      { atol, rtol },
      `gradient of input ${k}`,
    );
  }
  for (const x of xs) {
    x.grad?.dispose();
    x.dispose();
  }
}
