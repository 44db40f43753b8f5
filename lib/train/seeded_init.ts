/**
 * An initialisation that another library can reproduce bit for bit from a
 * seed: Xavier-uniform weights and PyTorch's fan-in uniform biases, each
 * value drawn from a counter-based hash of (seed, parameter index, element
 * index). The PyTorch reference scripts in tools/ (tools/seeded_init.py)
 * compute the same float32 values, so a run there and a run here start
 * from identical weights without shipping a weights file (the course
 * AlexNet's would be 187 MB).
 *
 * @module
 */
import type { Module } from "../nn/module.ts";
import { tensor } from "../ops/creation.ts";

/** The murmur3 finaliser: a bijective mix of 32 bits. */
function mix32(value: number): number {
  let z = value >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * `count` values uniform in [-bound, bound): element i is
 * `fround((2u - 1) * bound)` with u = (hash >>> 8) / 2^24, computed in
 * float64 and rounded once to float32 (as numpy's astype does).
 */
export function hashUniform(
  seed: number,
  key: number,
  count: number,
  bound: number,
): Float32Array {
  const stream = mix32((seed >>> 0) + Math.imul(key + 1, 0x9e3779b9));
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const h = mix32((Math.imul(i, 0x9e3779b9) + stream) >>> 0);
    out[i] = (2 * ((h >>> 8) / 16777216) - 1) * bound;
  }
  return out;
}

/**
 * Sets every `*.weight` of two or more dims to Xavier uniform
 * (bound sqrt(6 / (fanIn + fanOut))) and every `*.bias` to uniform
 * ±1/sqrt(fanIn) of its weight, as PyTorch's Conv2d and Linear do, drawing
 * from {@link hashUniform} with the parameter's position in
 * `namedParameters()` as key.
 *
 * @param model The model, changed in place.
 * @param seed The seed (an unsigned 32-bit integer).
 * @returns The model.
 * @throws {TypeError} For a parameter that is neither such a weight nor a bias after one.
 */
export function seededInit<M extends Module>(model: M, seed: number): M {
  const named = model.namedParameters();
  const state: Record<string, ReturnType<typeof tensor>> = {};
  let fanIn = 0;
  named.forEach(([name, p], key) => {
    let bound: number;
    if (name.endsWith("weight") && p.ndim >= 2) {
      const receptive = p.shape.slice(2).reduce((a, s) => a * s, 1);
      fanIn = p.shape[1] * receptive;
      bound = Math.sqrt(6 / (fanIn + p.shape[0] * receptive));
    } else if (name.endsWith("bias") && fanIn > 0) {
      bound = 1 / Math.sqrt(fanIn);
    } else {
      throw new TypeError(
        `Cannot seed-initialise ${name} of shape [${p.shape}]: only weights of 2 or more dims and their biases`,
      );
    }
    state[name] = tensor(hashUniform(seed, key, p.numel, bound), {
      shape: p.shape,
    });
  });
  model.loadStateDict(state, { strict: false });
  for (const t of Object.values(state)) t.dispose();
  return model;
}
