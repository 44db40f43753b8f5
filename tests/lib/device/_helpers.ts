// Shared helpers of the device tests: random data, upload, readback, and a
// comparison with a tolerance relative to the sum of |products| of each
// output (the float32 rounding bound of a dot product grows with it).
import { allocate, release } from "../../../lib/device/buffer_pool.ts";
import { readBuffer, upload } from "../../../lib/device/recorder.ts";
import { tunerState } from "../../../lib/device/tuner.ts";
import { type AdapterTuning, tuning } from "../../../lib/device/tuning.ts";

/** A seeded generator (mulberry32) so failures reproduce. */
export function randomFloats(n: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** A pooled buffer holding `data`. */
export function toGpu(data: Float32Array): GPUBuffer {
  const buffer = allocate(data.byteLength, "test input");
  upload(buffer, data);
  return buffer;
}

/** Reads `n` floats of `buffer` and releases it. */
export async function fromGpu(
  buffer: GPUBuffer,
  n: number,
): Promise<Float32Array> {
  const data = new Float32Array(await readBuffer(buffer, n * 4));
  release(buffer);
  return data;
}

/**
 * Throws unless |got - want| <= tolerance * scale + 1e-30 everywhere, where
 * `scale` holds each output's sum of |products|.
 */
export function assertClose(
  got: Float32Array,
  want: Float64Array,
  scale: Float64Array,
  tolerance: number,
  what: string,
): void {
  if (got.length !== want.length) {
    throw new Error(`${what}: ${got.length} values, expected ${want.length}`);
  }
  for (let i = 0; i < want.length; i++) {
    const error = Math.abs(got[i] - want[i]);
    if (!(error <= tolerance * scale[i] + 1e-30)) {
      throw new Error(
        `${what}: element ${i} is ${got[i]}, expected ${
          want[i]
        } (error ${error}, bound ${tolerance * scale[i]})`,
      );
    }
  }
}

/**
 * Small tiles with every feature of the real ones (rows and columns per
 * invocation, 2-D workgroups, two output rows and two channels per conv
 * step): most cases run with these, because each big-tile pipeline takes
 * 1.5-4 s for lavapipe's LLVM to compile; the AlexNet shapes keep the real
 * tuning.
 */
export const SMALL_TILES: Partial<AdapterTuning> = {
  matmul: { rows: 8, cols: 8, groupX: 4, groupY: 2 },
  matmulThin: { rows: 4, cols: 8, groupX: 4, groupY: 1 },
  matmulFew: { rows: 8, cols: 8, groupX: 4, groupY: 1 },
  conv: {
    rows: 8,
    cols: 8,
    groupX: 4,
    groupY: 2,
    pixelRows: 2,
    shortRow: 16,
    channels: 2,
    narrowKernel: 5,
  },
  convInput: {
    rows: 8,
    cols: 8,
    groupX: 4,
    groupY: 2,
    pixelRows: 2,
    shortRow: 16,
    channels: 2,
    narrowKernel: 5,
  },
  convThin: { rows: 4, cols: 8, groupX: 4, groupY: 1 },
  weight: { rows: 8, cols: 8, groupX: 4, groupY: 2 },
  weightThin: { rows: 4, cols: 8, groupX: 4, groupY: 1 },
};

/** Runs `body` with `tuning` changed by `change`, then restores it. */
export async function withTuning(
  change: Partial<AdapterTuning>,
  body: () => Promise<void>,
): Promise<void> {
  const saved = structuredClone(tuning);
  Object.assign(tuning, change);
  try {
    await body();
  } finally {
    Object.assign(tuning, saved);
  }
}

/**
 * Runs `body` with the tuner in `mode`, nothing loaded, and a fresh empty
 * cache directory (XDG_CACHE_HOME, given to `body`); restores all after.
 */
export async function withFreshTuner(
  mode: typeof tunerState.mode,
  body: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = Deno.makeTempDirSync();
  const savedHome = Deno.env.get("XDG_CACHE_HOME");
  const savedMode = tunerState.mode;
  Deno.env.set("XDG_CACHE_HOME", dir);
  tunerState.reload();
  tunerState.mode = mode;
  try {
    await body(dir);
  } finally {
    tunerState.mode = savedMode;
    tunerState.reload();
    if (savedHome === undefined) Deno.env.delete("XDG_CACHE_HOME");
    else Deno.env.set("XDG_CACHE_HOME", savedHome);
    Deno.removeSync(dir, { recursive: true });
  }
}
