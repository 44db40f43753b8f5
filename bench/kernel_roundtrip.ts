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
 * Usage: deno run --allow-all bench/kernel_roundtrip.ts
 * Both kernelspecs go to a temporary prefix; nothing of the user's is touched.
 */
import { install } from "../kernel/install.ts";

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

const prefix = await Deno.makeTempDir({ prefix: "deno-webgpu-bench-" });
try {
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
  const { code, stdout, stderr } = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", PYTHON, "deno-webgpu", "deno-builtin"],
    env: {
      JUPYTER_PATH: `${prefix}/share/jupyter`,
      JUPYTER_RUNTIME_DIR: `${prefix}/runtime`,
    },
    cwd: prefix,
    stdin: "null",
  }).output();
  if (code !== 0) {
    throw new Error(
      `The benchmark failed:\n${new TextDecoder().decode(stderr)}`,
    );
  }
  const results = JSON.parse(
    new TextDecoder().decode(stdout).trim().split("\n").at(-1)!,
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
    `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores, load average ${await loadAverage()}`,
  );
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
} finally {
  await Deno.remove(prefix, { recursive: true });
}

async function loadAverage(): Promise<string> {
  const text = await Deno.readTextFile("/proc/loadavg").catch(() => "unknown");
  return text.split(" ").slice(0, 3).join(" ");
}
