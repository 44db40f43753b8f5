// The autotuner: choosing by measurement, its cache (written, read back,
// and ignored with one warning when corrupt, foreign or stale), and the bad
// inputs that must leave its state as it was.
import assert from "node:assert/strict";
import { matmul, MATMUL_FAMILY } from "../../../lib/device/matmul.ts";
import { bindingLimit, readBuffer } from "../../../lib/device/recorder.ts";
import { release } from "../../../lib/device/buffer_pool.ts";
import {
  cachePath,
  choose,
  DEFAULT_MARGIN,
  type Family,
  tune,
  TUNER_VERSION,
  tunerState,
} from "../../../lib/device/tuner.ts";
import {
  configName,
  type GemmTiling,
  tuning,
} from "../../../lib/device/tuning.ts";
import { DeviceLostError } from "../../../lib/device/webgpu.ts";
import {
  randomFloats,
  SMALL_TILES,
  toGpu,
  withFreshTuner,
  withTuning,
} from "./_helpers.ts";

const SMALL = SMALL_TILES.matmul!;
const SHORT: GemmTiling = { ...SMALL, groupX: 2 };
const CANDIDATES = {
  ...tuning.candidates,
  matmul: [SMALL, SHORT],
};

/** Runs `body` with tuning on, a fresh cache directory, and captured warnings and notices (console.error). */
async function withTuner(
  body: (warnings: string[], dir: string, notices: string[]) => Promise<void>,
): Promise<void> {
  const [savedWarn, savedError] = [console.warn, console.error];
  const warnings: string[] = [];
  const notices: string[] = [];
  console.warn = (message: string) => warnings.push(String(message));
  console.error = (message: string) => notices.push(String(message));
  try {
    await withFreshTuner("on", (dir) =>
      withTuning(
        { matmul: SMALL, candidates: CANDIDATES },
        () => body(warnings, dir, notices),
      ));
  } finally {
    [console.warn, console.error] = [savedWarn, savedError];
  }
}

const SHAPE = { batch: 1, m: 40, n: 40, k: 40 };
const CLASS_KEY = `matmul|${
  MATMUL_FAMILY.shapeClass({
    transA: false,
    transB: false,
    batchA: 1,
    batchB: 1,
    ...SHAPE,
  })
}`;

/** One matmul of SHAPE, read back (the readback runs pending tuning). */
async function runMatmul(): Promise<void> {
  const a = toGpu(randomFloats(1600, 1));
  const b = toGpu(randomFloats(1600, 2));
  const out = matmul(a, b, SHAPE);
  await readBuffer(out, 16);
  [a, b, out].forEach(release);
}

Deno.test("the tuner times a new shape class at the next readback and caches the fastest", async () => {
  await withTuner(async (warnings, _dir, notices) => {
    await runMatmul();
    // one notice says why the readback waits, and where the choice goes
    assert.equal(notices.length, 1, notices.join("\n"));
    assert.ok(notices[0].startsWith("Tuning kernels for 1 new shape class on"));
    assert.ok(notices[0].includes(cachePath()!), notices[0]);
    const entry = tunerState.entries.get(CLASS_KEY);
    assert.ok(entry, "the class was tuned");
    assert.ok([SMALL, SHORT].map(configName).includes(entry.chosen));
    assert.ok(entry.gflops > 0 && entry.runnerUp !== undefined);
    assert.equal(tunerState.pending.size, 0);
    const file = JSON.parse(Deno.readTextFileSync(cachePath()!));
    assert.equal(file.version, TUNER_VERSION);
    assert.equal(file.entries[CLASS_KEY].chosen, entry.chosen);
    assert.deepEqual(Object.keys(file.adapter), [
      "vendor",
      "architecture",
      "device",
      "description",
      "features",
    ]);
    // a new process (reload) reads the choice back without timing again
    tunerState.reload();
    await runMatmul();
    assert.equal(tunerState.entries.get(CLASS_KEY)?.chosen, entry.chosen);
    assert.deepEqual(warnings, []);
    assert.equal(notices.length, 1, "nothing is timed again");
  });
});

for (
  const [what, contents] of [
    ["corrupt", "{ not json"],
    ["foreign", (home: string) => {
      const file = JSON.parse(Deno.readTextFileSync(home));
      file.adapter.description = "another adapter";
      return JSON.stringify(file);
    }],
    ["stale", (home: string) => {
      const file = JSON.parse(Deno.readTextFileSync(home));
      file.version = "an older library";
      return JSON.stringify(file);
    }],
  ] as const
) {
  Deno.test(`a ${what} tuning cache is ignored with one warning and rewritten`, async () => {
    await withTuner(async (warnings) => {
      await runMatmul(); // writes a valid cache
      const path = cachePath()!;
      Deno.writeTextFileSync(
        path,
        typeof contents === "string" ? contents : contents(path),
      );
      tunerState.reload();
      await runMatmul();
      await runMatmul();
      assert.equal(warnings.length, 1, warnings.join("\n"));
      assert.match(warnings[0], /Ignoring the tuning cache/);
      const file = JSON.parse(Deno.readTextFileSync(path));
      assert.equal(file.version, TUNER_VERSION);
      assert.ok(file.entries[CLASS_KEY]);
    });
  });
}

Deno.test("a cached choice that is no longer a candidate is retuned", async () => {
  await withTuner(async (warnings) => {
    tunerState.entries.set(CLASS_KEY, {
      family: "matmul",
      shapeClass: "",
      config: { rows: 64, cols: 64, groupX: 1, groupY: 1 },
      chosen: "reg 64x64 wg1x1",
      gflops: 1,
    });
    await runMatmul();
    assert.equal(warnings.length, 1);
    assert.notEqual(
      tunerState.entries.get(CLASS_KEY)?.chosen,
      "reg 64x64 wg1x1",
    );
  });
});

Deno.test("a cache that cannot be written leaves the defaults in place", async () => {
  await withTuner(async (warnings, dir) => {
    // the cache directory's place is taken by a file
    Deno.writeTextFileSync(`${dir}/deno-webgpu`, "");
    await runMatmul();
    assert.equal(tunerState.mode, "off");
    assert.equal(tunerState.entries.size, 0);
    assert.match(warnings.join("\n"), /Cannot write the tuning cache/);
  });
});

Deno.test("without a cache directory nothing is timed and the defaults stay", async () => {
  await withTuner(async (warnings, _dir, notices) => {
    const home = Deno.env.get("HOME");
    Deno.env.delete("XDG_CACHE_HOME");
    Deno.env.delete("HOME");
    try {
      await runMatmul();
    } finally {
      if (home !== undefined) Deno.env.set("HOME", home);
    }
    assert.equal(tunerState.mode, "off");
    assert.equal(tunerState.entries.size, 0);
    assert.equal(tunerState.pending.size, 0);
    assert.deepEqual(notices, [], "no notice of a tuning that does not run");
    assert.match(warnings.join("\n"), /No tuning cache directory/);
  });
});

/** A family whose runs do nothing or throw, for the error paths. */
function fakeFamily(run: () => void): Family<number> {
  return {
    name: "fake",
    shapeClass: (s) => `${s}`,
    candidates: () => [SMALL, SHORT],
    fallback: () => SMALL,
    flops: () => 1,
    prepare: () => ({ run, dispose: () => {} }),
  };
}

Deno.test("an interrupted tuning run throws and changes nothing", async () => {
  await withTuner(async () => {
    const key = Symbol.for("deno-webgpu.kernel.abort");
    const controller = new AbortController();
    controller.abort();
    const global = globalThis as Record<symbol, unknown>;
    const saved = global[key];
    global[key] = controller.signal;
    try {
      await assert.rejects(
        () => tune(fakeFamily(() => {}), [1]),
        /interrupted/,
      );
    } finally {
      global[key] = saved;
    }
    assert.equal(tunerState.entries.size, 0);
    assert.equal(
      Deno.statSync(Deno.env.get("XDG_CACHE_HOME")!).isDirectory,
      true,
    );
  });
});

Deno.test("an adapter lost mid-tuning gives a clear error and changes nothing", async () => {
  await withTuner(async () => {
    let runs = 0;
    const family = fakeFamily(() => {
      if (++runs > 1) {
        throw new DeviceLostError("The GPU device was lost (test)");
      }
    });
    await assert.rejects(() => tune(family, [1, 2]), (error: Error) => {
      assert.ok(error instanceof DeviceLostError);
      assert.match(
        error.message,
        /Tuning of fake stopped.*previous choices stay/,
      );
      return true;
    });
    assert.equal(tunerState.entries.size, 0);
  });
});

Deno.test("tuning a shape larger than a binding can hold is a RangeError", async () => {
  await withTuner(async () => {
    // A is one row of 1Ki floats past what a binding holds
    const m = Math.floor(bindingLimit / 4096) + 1;
    await assert.rejects(
      () =>
        tune(MATMUL_FAMILY, [{
          batch: 1,
          m,
          n: 4,
          k: 1024,
          transA: false,
          transB: false,
          batchA: 1,
          batchB: 1,
        }]),
      RangeError,
    );
    assert.equal(tunerState.entries.size, 0);
  });
});

Deno.test("choose() counts each candidate's fastest round and keeps the default within the margin", () => {
  const [a, b, c] = [SMALL, SHORT, { ...SMALL, groupX: 1 }];
  // b's best round (0.9) beats a (1.0) by 11%: b, with a the runner-up
  let pick = choose([
    { config: a, seconds: [1.2, 1.0] },
    { config: b, seconds: [1.5, 0.9] },
    { config: c, seconds: [1.3] },
  ], a);
  assert.equal(pick.best.config, b);
  assert.equal(pick.best.seconds, 0.9);
  assert.equal(pick.second?.config, a);
  // 0.97 is within DEFAULT_MARGIN of 1.0: the default stays, c is runner-up
  pick = choose([
    { config: a, seconds: [1.0] },
    { config: b, seconds: [1.1] },
    { config: c, seconds: [0.97, 2] },
  ], a);
  assert.ok(1.0 / 0.97 < DEFAULT_MARGIN);
  assert.equal(pick.best.config, a);
  assert.equal(pick.second?.config, c);
  // the default need not come first; untimed (it failed), the fastest wins
  assert.equal(
    choose([{ config: c, seconds: [0.97] }, { config: a, seconds: [1] }], a)
      .best.config,
    a,
  );
  assert.equal(choose([{ config: c, seconds: [0.99] }], a).best.config, c);
  // one candidate: no runner-up
  assert.equal(choose([{ config: a, seconds: [1] }], a).second, undefined);
});
