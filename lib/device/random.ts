/**
 * Dispatcher of `shaders/random.wgsl` and the process's generator state: a
 * seed and a counter offset that each draw advances, so draws never overlap
 * and a `manualSeed` replays them exactly.
 *
 * @module
 */
import { allocate } from "./buffer_pool.ts";
import { fillTemplate, pipeline, shaderSource } from "./pipeline_cache.ts";
import { bindingLimit, dispatch } from "./recorder.ts";

/** The distributions the shader draws from. */
export type Distribution = "uniform" | "normal";

let seed = BigInt(Date.now()) ^ 0x5DEECE66Dn;
let offset = 0n;

/** Seeds the generator (any integer up to 2^64) and resets its counter. */
export function setSeed(value: number | bigint): void {
  seed = BigInt.asUintN(64, BigInt(value));
  offset = 0n;
}

/**
 * A new buffer of `n` draws: uniform in [a, b), or normal with mean a and
 * standard deviation b.
 */
export function random(
  distribution: Distribution,
  n: number,
  a: number,
  b: number,
): GPUBuffer {
  const out = allocate(n * 4, `random ${distribution}`);
  const normal = distribution === "normal";
  const compiled = pipeline(
    `random|${normal}`,
    () => fillTemplate(shaderSource("random"), { NORMAL: String(normal) }),
  );
  // A buffer larger than one binding is filled in ranges (multiples of 4 values).
  const chunk = n * 4 > bindingLimit
    ? Math.floor(bindingLimit / 4 / 256) * 256
    : Math.max(n, 1);
  for (let start = 0; start < n; start += chunk) {
    const count = Math.min(chunk, n - start);
    const params = new ArrayBuffer(32);
    const u32 = new Uint32Array(params);
    const f32 = new Float32Array(params);
    u32[0] = count;
    u32[1] = Number(seed & 0xffffffffn);
    u32[2] = Number(seed >> 32n);
    u32[3] = Number(offset & 0xffffffffn);
    u32[4] = Number((offset >> 32n) & 0xffffffffn);
    f32[6] = a;
    f32[7] = b;
    // Invocation i hashes the counter (i, offset): a new offset per draw
    // (and per range) keeps every draw's numbers disjoint from the others.
    offset++;
    dispatch({
      label: `random ${distribution}`,
      pipeline: compiled,
      buffers: [
        chunk >= n ? out : { buffer: out, offset: start * 4, size: count * 4 },
      ],
      uniforms: u32,
      workgroups: [Math.ceil(Math.ceil(count / 4) / 64)],
    });
  }
  return out;
}
