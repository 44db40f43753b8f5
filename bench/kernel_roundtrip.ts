/**
 * Kernel figures, side by side with Deno's own kernel (`deno jupyter`) in the
 * same run, through Debian's jupyter_client; the two kernels take turns at
 * every step, so both see the same machine load:
 *
 * - start to first kernel_info_reply (median of 3 starts);
 * - a trivial execute_request, send to execute_reply (median of 40);
 * - a cell printing 10,000 lines, send to execute_reply (median of 5), with
 *   how many lines arrived before `status: idle` and how many stream messages
 *   carried them.
 *
 * And the type checker's figures (kernel/language_service.ts):
 *
 * - the check time of each code cell of notebooks/*.ipynb, run in order over
 *   the cells before it, after the warm-up the kernel's worker does at start
 *   (median and 95th percentile over all cells; the warm-ups apart);
 * - with DENO_WEBGPU_TYPECHECK=off, warn and error (40 cells each, the
 *   kernels taking turns): how long after the send the cell starts (its
 *   first `Date.now()`) and its round trip, median and 95th percentile. Warn
 *   checks beside the running cell (and replies once the warnings are out),
 *   error makes the cell wait for its check; and the round trip of a first
 *   cell that imports the library, sent as soon as each kernel is ready.
 *
 * Usage: deno run --allow-all bench/kernel_roundtrip.ts [--typecheck]
 * (--typecheck: only the type checker's figures). The kernelspecs go to a
 * temporary prefix; nothing of the user's is touched.
 */
import { denoTypes } from "../kernel/deno_lib.ts";
import { install } from "../kernel/install.ts";
import { runKernelClients } from "./_kernel_clients.ts";
import { CellTypes } from "../kernel/language_service.ts";

const PYTHON = String.raw`
import json, statistics, sys, time
from jupyter_client.manager import KernelManager

def drain(kc):
    while True:
        try: kc.get_iopub_msg(timeout=0.1)
        except Exception: return

def run(kc, code):
    sent = time.perf_counter()
    msg_id = kc.execute(code)
    while True:
        reply = kc.get_shell_msg(timeout=120)
        if reply["parent_header"].get("msg_id") == msg_id: break
    elapsed = time.perf_counter() - sent
    lines, streams, idle = 0, 0, False
    late = 0
    deadline = time.time() + 30
    while time.time() < deadline:
        try: msg = kc.get_iopub_msg(timeout=0.5 if idle else 30)
        except Exception: break
        if msg["parent_header"].get("msg_id") != msg_id: continue
        if msg["msg_type"] == "stream":
            n = msg["content"]["text"].count("\n")
            if idle: late += n
            else: lines += n; streams += 1
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle": idle = True
    return elapsed, lines, streams, late

def start(name):
    km = KernelManager(kernel_name=name)
    started = time.perf_counter()
    km.start_kernel()
    kc = km.client(); kc.start_channels()
    kc.kernel_info()
    while kc.get_shell_msg(timeout=60)["msg_type"] != "kernel_info_reply": pass
    return km, kc, time.perf_counter() - started

# The kernels take turns at every step, so both see the same machine load.
names = sys.argv[1:]
starts = {name: [] for name in names}
for _ in range(3):
    for name in names:
        km, kc, elapsed = start(name)
        starts[name].append(elapsed)
        kc.stop_channels(); km.shutdown_kernel(now=True)
kernels = {}
for name in names:
    km, kc, _ = start(name)
    kc.wait_for_ready(timeout=60)
    run(kc, "1"); drain(kc)  # warm up (the first cell loads the transpiler)
    kernels[name] = (km, kc)
trivial = {name: [] for name in names}
big = {name: [] for name in names}
for _ in range(40):
    for name in names: trivial[name].append(run(kernels[name][1], "1")[0])
for _ in range(5):
    for name in names: big[name].append(run(kernels[name][1], "for (let i = 0; i < 10000; i++) console.log('line ' + i);"))
results = {}
for name in names:
    km, kc = kernels[name]
    kc.stop_channels(); km.shutdown_kernel(now=True)
    results[name] = {
        "start_s": statistics.median(starts[name]),
        "trivial_ms": statistics.median(trivial[name]) * 1000,
        "print10k_ms": statistics.median(b[0] for b in big[name]) * 1000,
        "lines_before_idle": min(b[1] for b in big[name]),
        "lines_after_idle": max(b[3] for b in big[name]),
        "stream_messages": statistics.median(b[2] for b in big[name]),
    }
print(json.dumps(results))
`;

const PYTHON_MODES = String.raw`
import json, statistics, sys, time
from jupyter_client.manager import KernelManager

def run(kc, code):
    """Round trip and start delay (the cell's first Date.now() after the send), in ms."""
    wall = time.time()
    sent = time.perf_counter()
    msg_id = kc.execute(code)
    while True:
        reply = kc.get_shell_msg(timeout=120)
        if reply["parent_header"].get("msg_id") == msg_id: break
    elapsed = (time.perf_counter() - sent) * 1000
    assert reply["content"]["status"] == "ok", reply["content"]
    started = None
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id: continue
        if msg["msg_type"] == "execute_result":
            started = int(msg["content"]["data"]["text/plain"])
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle": break
    return elapsed, started - wall * 1000

names = sys.argv[1:]
kernels = {}
first = {}
for name in names:
    km = KernelManager(kernel_name=name)
    km.start_kernel()
    kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=60)
    kernels[name] = (km, kc)
    # A notebook's first cell, sent at once: it imports, so it waits for the
    # check, which waits for the warm-up.
    first[name] = run(kc, 'import { tensor } from "../lib/mod.ts";\nDate.now()')[0]
    time.sleep(3)
# Past the checker's warm-up, which runs in the background from the start.
time.sleep(2)
for name in names: run(kernels[name][1], "Date.now()")
times = {name: [] for name in names}
for i in range(40):
    code = f"const v{i} = Date.now();\n[1, 2, 3].map((x) => x * {i});\nv{i}"
    for name in names:
        times[name].append(run(kernels[name][1], code))
for name in names:
    km, kc = kernels[name]
    kc.stop_channels(); km.shutdown_kernel(now=True)
print(json.dumps({"times": times, "first": first}))
`;

/** The value below which a share p of the sorted values lies (nearest rank). */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/**
 * Checks every code cell of the notebooks in order, as the kernel would.
 *
 * @returns the warm-up times and each cell's check time, in ms
 */
async function checkTimes(): Promise<{ warmUps: number[]; cells: number[] }> {
  const folder = new URL("../notebooks/", import.meta.url).pathname;
  const types = await denoTypes();
  const warmUps: number[] = [];
  const cells: number[] = [];
  const names = [...Deno.readDirSync(folder)].map((e) => e.name)
    .filter((name) => name.endsWith(".ipynb")).sort();
  for (const name of names) {
    const notebook = JSON.parse(await Deno.readTextFile(folder + name)) as {
      cells: { cell_type: string; source: string | string[] }[];
    };
    let started = performance.now();
    const checker = new CellTypes(folder, types);
    checker.warmUp();
    warmUps.push(performance.now() - started);
    for (const cell of notebook.cells) {
      if (cell.cell_type !== "code") continue;
      const code = [cell.source].flat().join("");
      started = performance.now();
      checker.check(code);
      cells.push(performance.now() - started);
      checker.add(code);
    }
  }
  return { warmUps, cells };
}

async function typeCheckFigures(prefix: string): Promise<void> {
  const { warmUps, cells } = await checkTimes();
  const ms = (value: number) => value.toFixed(0);
  console.log(
    `type check per cell, ${cells.length} code cells of ${warmUps.length} notebooks: median ${
      ms(percentile(cells, 0.5))
    } ms, 95th percentile ${ms(percentile(cells, 0.95))} ms, max ${
      ms(Math.max(...cells))
    } ms; warm-up at kernel start ${
      ms(percentile(warmUps, 0.5))
    } ms (median; first ${ms(warmUps[0])} ms)`,
  );
  const modes = ["off", "warn", "error"] as const;
  for (const mode of modes) {
    await install({ prefix, name: `deno-webgpu-${mode}`, typecheck: mode });
  }
  const { code, stdout, stderr } = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", PYTHON_MODES, ...modes.map((mode) => `deno-webgpu-${mode}`)],
    env: {
      JUPYTER_PATH: `${prefix}/share/jupyter`,
      JUPYTER_RUNTIME_DIR: `${prefix}/runtime`,
    },
    cwd: new URL("../notebooks/", import.meta.url).pathname,
    stdin: "null",
  }).output();
  if (code !== 0) {
    throw new Error(
      `The type check benchmark failed:\n${new TextDecoder().decode(stderr)}`,
    );
  }
  const { times, first } = JSON.parse(
    new TextDecoder().decode(stdout).trim().split("\n").at(-1)!,
  ) as {
    times: Record<string, [number, number][]>;
    first: Record<string, number>;
  };
  console.log(
    "| DENO_WEBGPU_TYPECHECK | cell start delay median / p95 (ms) | round trip median / p95 (ms) |",
  );
  console.log("| --- | --- | --- |");
  for (const mode of modes) {
    const runs = times[`deno-webgpu-${mode}`];
    const figures = (values: number[]) =>
      `${percentile(values, 0.5).toFixed(1)} / ${
        percentile(values, 0.95).toFixed(1)
      }`;
    console.log(
      `| ${mode} | ${figures(runs.map((r) => r[1]))} | ${
        figures(runs.map((r) => r[0]))
      } |`,
    );
  }
  console.log(
    `first cell (an import) sent as soon as the kernel is ready, round trip: ${
      modes.map((mode) =>
        `${mode} ${first[`deno-webgpu-${mode}`].toFixed(0)} ms`
      ).join(", ")
    }`,
  );
}

const prefix = await Deno.makeTempDir({ prefix: "deno-webgpu-bench-" });
try {
  console.log(
    `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores, load average ${await loadAverage()}`,
  );
  await typeCheckFigures(prefix);
  if (!Deno.args.includes("--typecheck")) await againstDenoJupyter(prefix);
} finally {
  await Deno.remove(prefix, { recursive: true });
}

async function loadAverage(): Promise<string> {
  const text = await Deno.readTextFile("/proc/loadavg").catch(() => "unknown");
  return text.split(" ").slice(0, 3).join(" ");
}

/** The kernel figures beside Deno's own kernel (see the top of the file). */
async function againstDenoJupyter(prefix: string): Promise<void> {
  await install({ prefix });
  // Deno's own kernel, with the argv `deno jupyter --install` writes.
  const denoSpec = `${prefix}/share/jupyter/kernels/deno-builtin`;
  await Deno.mkdir(denoSpec, { recursive: true });
  await Deno.writeTextFile(
    `${denoSpec}/kernel.json`,
    JSON.stringify({
      argv: [
        Deno.execPath(),
        "jupyter",
        "--kernel",
        "--conn",
        "{connection_file}",
      ],
      display_name: "Deno",
      language: "typescript",
    }),
  );
  const results = await runKernelClients(
    "/usr/bin/python3",
    PYTHON,
    prefix,
    ["deno-webgpu", "deno-builtin"],
  );
  const ours = results["deno-webgpu"];
  const theirs = results["deno-builtin"];
  const rows = [
    ["start to kernel_info_reply (s)", "start_s", 2],
    ["trivial execute round trip (ms)", "trivial_ms", 1],
    ["10,000-line cell round trip (ms)", "print10k_ms", 0],
    ["lines before idle (of 10,000)", "lines_before_idle", 0],
    ["lines after idle (lost by nbclient)", "lines_after_idle", 0],
    ["stream messages per 10,000 lines", "stream_messages", 0],
  ] as const;
  console.log(
    "| figure | deno-webgpu | deno jupyter | ratio (ours / theirs) |",
  );
  console.log("| --- | --- | --- | --- |");
  for (const [label, key, digits] of rows) {
    const ratio = theirs[key] ? (ours[key] / theirs[key]).toFixed(2) : "-";
    console.log(
      `| ${label} | ${ours[key].toFixed(digits)} | ${
        theirs[key].toFixed(digits)
      } | ${ratio} |`,
    );
  }
}
