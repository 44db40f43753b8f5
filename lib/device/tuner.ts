/**
 * The autotuner: the first time a kernel family (matmul, each conv2d
 * product) meets a shape class, it times every candidate configuration of
 * this adapter (tuning.ts) within a time budget and keeps the fastest, in
 * memory and in a cache file. Ops stay synchronous: a new class runs with
 * the default configuration and is timed at the next readback or
 * `synchronize()`, once the GPU has caught up; later ops of that class use
 * the winner.
 *
 * `DENO_WEBGPU_TUNE`: `off` (the defaults only, no cache read or written:
 * what the tests use), `cache` (use cached choices, time nothing: the
 * default on CPU adapters, where compiling each candidate costs seconds),
 * `on` (time new classes: the default on GPUs). `DENO_WEBGPU_TUNE_BUDGET`:
 * seconds per shape class (default 2). The cache is
 * `$XDG_CACHE_HOME/deno-webgpu/tuning.json` (or `~/.cache/...`), keyed by
 * the adapter and the library's version.
 *
 * Timing: timestamp queries around the dispatches where the device has
 * them, else the wall time of many dispatches in one submit minus an empty
 * submit's latency, so that submit-and-wait is never what is measured.
 *
 * @module
 */
import { GpuTimer, hasTimestamps } from "./gpu_timer.ts";
import { setIdleTask, synchronize } from "./recorder.ts";
import { configName, type GemmTiling } from "./tuning.ts";
import {
  adapter,
  DeviceLostError,
  GPUValidationError,
  isFallbackAdapter,
} from "./webgpu.ts";

/** What the tuner needs of a kernel family. */
export interface Family<S> {
  /** Names the family in the cache and the tune table. */
  name: string;
  /** The key of the shape class `s` belongs to. */
  shapeClass(s: S): string;
  /** The configurations to time (the default first). */
  candidates(s: S): GemmTiling[];
  /** The deterministic default. */
  fallback(s: S): GemmTiling;
  /** Floating-point operations of one run. */
  flops(s: S): number;
  /** Inputs for timing runs of `s`: `run` records one dispatch of a configuration. */
  prepare(s: S): { run(config: GemmTiling): void; dispose(): void };
}

/** One tuned shape class. */
export interface TuneResult {
  family: string;
  shapeClass: string;
  /** The configuration chosen, and its speed. */
  chosen: string;
  gflops: number;
  /** The fastest of the others, when there were others. */
  runnerUp?: string;
  runnerUpGflops?: number;
}

interface Entry extends TuneResult {
  config: GemmTiling;
}

/** Bump with any change to the kernels or candidates that makes old choices meaningless. */
export const TUNER_VERSION = "deno-webgpu-kernels-8";
const FORMAT = 1;

type Mode = "off" | "cache" | "on";

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no env permission
  }
}

function parseMode(): Mode {
  const value = env("DENO_WEBGPU_TUNE");
  if (value === "off" || value === "cache" || value === "on") return value;
  if (value !== undefined && value !== "") {
    console.warn(
      `DENO_WEBGPU_TUNE=${value} is not off, cache or on: using the default`,
    );
  }
  return isFallbackAdapter ? "cache" : "on";
}

let mode: Mode = parseMode();
const budgetSeconds = Number(env("DENO_WEBGPU_TUNE_BUDGET") ?? 2) || 2;
const entries = new Map<string, Entry>();
// deno-lint-ignore no-explicit-any
const pending = new Map<string, { family: Family<any>; shape: unknown }>();
let loaded = false;
const warned = new Set<string>();

function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(message);
}

/**
 * The adapter identity the cache is keyed by. The features tell the
 * backends apart: llvmpipe reached through Vulkan (lavapipe) and through
 * OpenGL report the same vendor and description but run the same kernels
 * at different speeds, and expose different features.
 */
function adapterKey(): Record<string, string> {
  const info = adapter.info;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    features: [...adapter.features].sort().join(" "),
  };
}

/**
 * The cache file's path, or undefined without a home directory.
 *
 * @returns `$XDG_CACHE_HOME/deno-webgpu/tuning.json` or `~/.cache/deno-webgpu/tuning.json`
 */
export function cachePath(): string | undefined {
  const base = env("XDG_CACHE_HOME") ||
    (env("HOME") ? `${env("HOME")}/.cache` : undefined);
  return base ? `${base}/deno-webgpu/tuning.json` : undefined;
}

/** Reads the cache once; a corrupt, foreign or stale file is ignored with a warning. */
function load(): void {
  if (loaded) return;
  loaded = true;
  const path = cachePath();
  if (!path) return;
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return; // none yet (or unreadable): tuning rewrites it
  }
  const reject = (why: string) =>
    warnOnce(
      `Ignoring the tuning cache ${path} (${why}): it will be rewritten`,
    );
  let data: {
    format?: unknown;
    version?: unknown;
    adapter?: unknown;
    entries?: unknown;
  };
  try {
    data = JSON.parse(text);
  } catch {
    return reject("not valid JSON");
  }
  if (data?.format !== FORMAT || data.version !== TUNER_VERSION) {
    return reject("written by another version of the library");
  }
  if (JSON.stringify(data.adapter) !== JSON.stringify(adapterKey())) {
    return reject("written for another adapter");
  }
  if (typeof data.entries !== "object" || data.entries === null) {
    return reject("no entries");
  }
  for (const [key, value] of Object.entries(data.entries)) {
    const entry = value as Entry;
    if (
      typeof entry?.chosen !== "string" || typeof entry.config !== "object" ||
      configName(entry.config) !== entry.chosen
    ) {
      entries.clear();
      return reject(`entry ${key} is malformed`);
    }
    entries.set(key, entry);
  }
}

/** Writes the cache (temporary file, then rename); false when it cannot be written. */
function save(): boolean {
  const path = cachePath();
  if (!path) return false;
  const text = JSON.stringify(
    {
      format: FORMAT,
      version: TUNER_VERSION,
      adapter: adapterKey(),
      entries: Object.fromEntries(entries),
    },
    null,
    1,
  );
  try {
    Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    const temporary = `${path}.${Deno.pid}.tmp`;
    Deno.writeTextFileSync(temporary, text);
    Deno.renameSync(temporary, path);
    return true;
  } catch (error) {
    warnOnce(
      `Cannot write the tuning cache ${path} (${error}): kernels keep their default configurations`,
    );
    return false;
  }
}

function keyOf<S>(family: Family<S>, s: S): string {
  return `${family.name}|${family.shapeClass(s)}`;
}

/**
 * The configuration to run `s` with: the tuned one of its shape class, or
 * the family's default (and, with tuning on, the class is queued to be
 * timed at the next readback).
 *
 * @param family the kernel family
 * @param s the shape
 * @returns a configuration of `family.candidates(s)` or the default
 */
export function tuned<S>(family: Family<S>, s: S): GemmTiling {
  if (mode === "off") return family.fallback(s);
  load();
  const key = keyOf(family, s);
  const entry = entries.get(key);
  if (entry) {
    if (offered(family, s, entry)) return entry.config;
    // a choice no longer offered: stale
    warnOnce(
      `Ignoring the tuned ${entry.chosen} for ${key}: not a candidate any more; it will be retuned`,
    );
    entries.delete(key);
  }
  if (mode === "on" && !pending.has(key)) {
    pending.set(key, { family, shape: structuredClone(s) });
  }
  return family.fallback(s);
}

/**
 * The configuration {@link tuned} would give `s` now, without queueing its
 * class: what the timing runs of another family assume of this one (the
 * conv2d weight gradient is timed with the Winograd patches that its
 * forward keeps, when the forward's choice keeps them).
 *
 * @param family the kernel family
 * @param s the shape
 * @returns the tuned configuration of the class of `s`, or the default
 */
export function current<S>(family: Family<S>, s: S): GemmTiling {
  if (mode === "off") return family.fallback(s);
  load();
  const entry = entries.get(keyOf(family, s));
  return entry && offered(family, s, entry) ? entry.config : family.fallback(s);
}

/** Whether the tuned choice of `entry` is still a candidate of `family` for `s`. */
function offered<S>(family: Family<S>, s: S, entry: Entry): boolean {
  return family.candidates(s).some((c) => configName(c) === entry.chosen);
}

/** Deterministic defaults from now on: nothing tuned, queued or timed. */
function useDefaults(): void {
  entries.clear();
  pending.clear();
  mode = "off";
}

/** The kernel's interrupt, when running inside it. */
function interrupted(): boolean {
  const signal = (globalThis as Record<symbol, unknown>)[
    Symbol.for("deno-webgpu.kernel.abort")
  ] as AbortSignal | undefined;
  return signal?.aborted === true;
}

let latency: number | undefined;

/** Seconds of an empty submit-and-wait (the smallest of three). */
async function submitLatency(): Promise<number> {
  if (latency === undefined) {
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await synchronize();
      samples.push((performance.now() - start) / 1000);
    }
    latency = Math.min(...samples);
  }
  return latency;
}

/** Seconds of `repeats` runs recorded back to back. */
async function timeRuns(run: () => void, repeats: number): Promise<number> {
  if (hasTimestamps) {
    const timer = new GpuTimer(2);
    timer.mark(0);
    for (let i = 0; i < repeats; i++) run();
    timer.mark(1);
    const [begin, end] = await timer.read();
    return end - begin;
  }
  const start = performance.now();
  for (let i = 0; i < repeats; i++) run();
  await synchronize();
  return Math.max(
    1e-9,
    (performance.now() - start) / 1000 - await submitLatency(),
  );
}

/** Seconds per run of `run`: enough repeats that one measurement lasts 20 ms and 10 latencies. */
async function secondsPerRun(run: () => void): Promise<number> {
  const floor = Math.max(
    0.02,
    10 * (hasTimestamps ? 0 : await submitLatency()),
  );
  let repeats = 1;
  let seconds = await timeRuns(run, repeats);
  while (seconds < floor && repeats < 256) {
    repeats = Math.min(256, repeats * Math.max(2, Math.ceil(floor / seconds)));
    seconds = await timeRuns(run, repeats);
  }
  return seconds / repeats;
}

/** Timing rounds per candidate, in alternation (the fastest round counts). */
const ROUNDS = 3;

/**
 * How much faster than the default a candidate must be to replace it: on
 * a shared machine two timings of one kernel differ by more than the gaps
 * between near-equal candidates, and a near tie chosen by noise made the
 * tuned AlexNet step slower than the defaults (docs/performance.md,
 * session 5).
 */
export const DEFAULT_MARGIN = 1.05;

/** One candidate's timings, in seconds per run. */
export interface Timed {
  config: GemmTiling;
  seconds: number[];
}

/**
 * The choice among timed candidates: each counts its fastest round; the
 * fastest replaces the default (`fallback`, when it was timed) only when
 * it is `margin` times as fast; the runner-up is the fastest of the rest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { choose } from "./tuner.ts";
 * const tile = (groupX: number) => ({ rows: 32, cols: 16, groupX, groupY: 1 });
 * const near = choose([{ config: tile(8), seconds: [1.0, 1.1] }, { config: tile(4), seconds: [0.97] }], tile(8));
 * assert.equal(near.best.config.groupX, 8); // 3% is within the margin
 * const far = choose([{ config: tile(8), seconds: [1.0] }, { config: tile(4), seconds: [0.8, 0.9] }], tile(8));
 * assert.equal(far.best.config.groupX, 4);
 * ```
 *
 * @param timed the candidates, with at least one timing each
 * @param fallback the family's default for the shape
 * @param margin see {@link DEFAULT_MARGIN}
 * @returns the chosen candidate and the runner-up, each with its fastest time
 */
export function choose(
  timed: Timed[],
  fallback: GemmTiling,
  margin: number = DEFAULT_MARGIN,
): {
  best: { config: GemmTiling; seconds: number };
  second?: { config: GemmTiling; seconds: number };
} {
  const fastest = timed.map((t) => ({
    config: t.config,
    seconds: Math.min(...t.seconds),
  }));
  const ranked = [...fastest].sort((x, y) => x.seconds - y.seconds);
  const name = configName(fallback);
  const timedDefault = fastest.find((t) => configName(t.config) === name);
  const best = timedDefault === undefined ||
      ranked[0].seconds * margin < timedDefault.seconds
    ? ranked[0]
    : timedDefault;
  return { best, second: ranked.find((t) => t !== best) };
}

/**
 * Times every candidate of the shape class of `s` (the default first,
 * then while the budget lasts; then more rounds in alternation while it
 * still lasts) and returns the choice of {@link choose}; commits nothing.
 */
async function measure<S>(
  family: Family<S>,
  s: S,
  budget: number,
): Promise<Entry> {
  const start = performance.now();
  const overBudget = () => (performance.now() - start) / 1000 > budget;
  const checkInterrupt = () => {
    if (interrupted()) {
      throw new Error(
        `Tuning of ${family.name} was interrupted: the previous choices stay`,
      );
    }
  };
  const timed: Timed[] = [];
  const inputs = family.prepare(s);
  try {
    for (const config of family.candidates(s)) {
      checkInterrupt();
      if (timed.length > 0 && overBudget()) break;
      try {
        inputs.run(config); // compiles, warms up
        await synchronize();
        timed.push({
          config,
          seconds: [await secondsPerRun(() => inputs.run(config))],
        });
      } catch (error) {
        // a configuration this adapter rejects (limits) is skipped; the rest stops
        if (!(error instanceof GPUValidationError)) throw error;
      }
    }
    for (let round = 1; round < ROUNDS && timed.length > 1; round++) {
      if (overBudget()) break;
      for (const t of timed) {
        checkInterrupt();
        t.seconds.push(await secondsPerRun(() => inputs.run(t.config)));
      }
    }
  } finally {
    inputs.dispose();
  }
  if (timed.length === 0) {
    throw new Error(`No configuration of ${family.name} ran on this adapter`);
  }
  const { best, second } = choose(timed, family.fallback(s));
  const gflops = (t: { seconds: number }) => family.flops(s) / t.seconds / 1e9;
  return {
    family: family.name,
    shapeClass: family.shapeClass(s),
    config: best.config,
    chosen: configName(best.config),
    gflops: gflops(best),
    ...(second
      ? { runnerUp: configName(second.config), runnerUpGflops: gflops(second) }
      : {}),
  };
}

/** Rethrows a lost device with what it means for tuning. */
function explain(error: unknown, family: string): never {
  if (error instanceof DeviceLostError) {
    throw new DeviceLostError(
      `Tuning of ${family} stopped: ${error.message}; the previous choices stay`,
    );
  }
  throw error;
}

/**
 * Times the shape classes queued by {@link tuned} (run by the recorder
 * after readbacks), with a one-line notice on stderr first. On an error
 * (interrupt, lost device) the class stays queued and untuned, and the
 * error propagates.
 */
export async function tunePending(): Promise<void> {
  const queued = [...pending];
  const path = cachePath();
  if (path === undefined) {
    // nowhere to keep choices: the deterministic defaults, as when the
    // cache cannot be written
    warnOnce(
      "No tuning cache directory (neither XDG_CACHE_HOME nor HOME): kernels keep their default configurations",
    );
    useDefaults();
    return;
  }
  // the wait that follows would otherwise go unexplained
  console.error(
    `Tuning kernels for ${queued.length} new shape class${
      queued.length === 1 ? "" : "es"
    } on this adapter, about ${budgetSeconds} s each; the choices are kept in ${path} (\`deno task tune\` does this ahead of time)`,
  );
  for (const [key, { family, shape }] of queued) {
    let entry: Entry;
    try {
      entry = await measure(family, shape, budgetSeconds);
    } catch (error) {
      explain(error, family.name);
    }
    pending.delete(key);
    entries.set(key, entry);
    if (!save()) {
      useDefaults(); // the cache cannot be written
      return;
    }
  }
}

/**
 * Tunes the shape classes of `shapes` now (ahead of time, as `deno task
 * tune` does), whatever `DENO_WEBGPU_TUNE` says except `off`, and writes
 * the cache.
 *
 * @param family the kernel family
 * @param shapes one shape per class to tune
 * @param budget seconds per class
 * @returns one result per shape, in order
 * @throws {Error} when tuning is off, interrupted, or the device is lost; tuner state stays as it was
 * @throws {RangeError} when a shape is larger than a binding can hold
 */
export async function tune<S>(
  family: Family<S>,
  shapes: S[],
  budget = budgetSeconds,
): Promise<TuneResult[]> {
  if (mode === "off") {
    throw new Error("Cannot tune: DENO_WEBGPU_TUNE=off");
  }
  load();
  const results: Entry[] = [];
  for (const s of shapes) {
    try {
      results.push(await measure(family, s, budget));
    } catch (error) {
      explain(error, family.name);
    }
  }
  for (const [i, s] of shapes.entries()) {
    entries.set(keyOf(family, s), results[i]);
    pending.delete(keyOf(family, s));
  }
  save();
  return results.map(({ config: _, ...result }) => result);
}

/**
 * The bucket of a size in a shape class: the next power of two.
 *
 * @param size a GEMM or image size
 * @returns 2^ceil(log2(size)), or 0 for 0
 */
export function bucket(size: number): number {
  return size <= 0 ? 0 : 2 ** Math.ceil(Math.log2(size));
}

/**
 * The tuner's state, for tests: tuned entries and queued classes, and the
 * mode (which tests may set; restore it after).
 */
export const tunerState = {
  get mode(): Mode {
    return mode;
  },
  set mode(value: Mode) {
    mode = value;
  },
  entries,
  pending,
  /** Forget what was loaded so that the next use reads the cache again. */
  reload(): void {
    entries.clear();
    pending.clear();
    warned.clear();
    loaded = false;
  },
};

setIdleTask(() => pending.size > 0 ? tunePending() : Promise.resolve());
