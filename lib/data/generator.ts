/**
 * A seeded host-side random generator for the data pipeline: shuffling and
 * the per-image parameters of augmentations (crop offsets, flips, jitter
 * factors, lighting). A batch needs a handful of numbers per image, so they
 * are drawn here and uploaded with the batch; the draws are then identical
 * on every adapter and easy to replay in tests.
 *
 * The algorithm is xoshiro128** (Blackman and Vigna), seeded through
 * splitmix32 so that nearby seeds give unrelated streams.
 *
 * @module
 */

function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return [next, (z ^ (z >>> 16)) >>> 0];
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Mixes a seed with integer keys (an epoch, a batch index) into a new
 * 32-bit seed, so that each batch of each epoch has its own stream no matter
 * in which order batches are prepared.
 */
export function deriveSeed(seed: number, ...keys: number[]): number {
  let state = (seed >>> 0) ^ Math.floor(seed / 2 ** 32);
  let out = 0;
  for (const key of [0x5eed, ...keys]) {
    [state, out] = splitmix32((state ^ (key >>> 0)) >>> 0);
    state = (state + out) >>> 0;
  }
  return out;
}

/**
 * A seeded random generator, like `torch.Generator().manual_seed(seed)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Generator } from "./generator.ts";
 * const a = new Generator(42), b = new Generator(42);
 * assert.equal(a.random(), b.random());
 * assert.equal(a.randperm(5).length, 5);
 * ```
 */
export class Generator {
  #state = new Uint32Array(4);
  #seed = 0;
  #spareNormal: number | undefined;

  /** Starts from `seed` (an integer; default: drawn from `Math.random`). */
  constructor(seed: number = Math.floor(Math.random() * 2 ** 32)) {
    this.manualSeed(seed);
  }

  /** Restarts the stream from `seed` and returns this generator. */
  manualSeed(seed: number): this {
    if (!Number.isFinite(seed)) {
      throw new TypeError(
        `Cannot seed a generator with ${seed}: give an integer`,
      );
    }
    this.#seed = Math.floor(seed);
    let state = (this.#seed >>> 0) ^ Math.floor(this.#seed / 2 ** 32);
    for (let k = 0; k < 4; k++) {
      let value: number;
      [state, value] = splitmix32(state);
      this.#state[k] = value;
    }
    this.#spareNormal = undefined;
    return this;
  }

  /** The seed this generator was last started from. */
  initialSeed(): number {
    return this.#seed;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.#state;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform draw in [0, 1) with 53 random bits. */
  random(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A uniform draw in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  /** A uniform integer in [low, high). */
  randint(low: number, high: number): number {
    if (!(high > low)) {
      throw new RangeError(
        `Cannot draw an integer from [${low}, ${high}): need low < high`,
      );
    }
    return low + Math.floor(this.random() * (high - low));
  }

  /** A normal draw (Box-Muller, using both values of each pair). */
  normal(mean = 0, std = 1): number {
    if (this.#spareNormal !== undefined) {
      const z = this.#spareNormal;
      this.#spareNormal = undefined;
      return mean + std * z;
    }
    const u = 1 - this.random(); // (0, 1]: log(u) stays finite
    const v = this.random();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = radius * Math.sin(2 * Math.PI * v);
    return mean + std * radius * Math.cos(2 * Math.PI * v);
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  randperm(n: number): Uint32Array {
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const held = out[i];
      out[i] = out[j];
      out[j] = held;
    }
    return out;
  }
}

/**
 * The generator transforms use when none is passed: reseed it with
 * `defaultGenerator.manualSeed(seed)` for reproducible calls outside a
 * DataLoader (which gives each batch its own seeded generator).
 */
export const defaultGenerator: Generator = new Generator();
