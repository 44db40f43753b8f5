/**
 * Comm figures, side by side with ipykernel (from the project's .venv) in the
 * same run, through jupyter_client; the two kernels take turns at every
 * step, so both see the same machine load:
 *
 * - comm_msg round trip between cells: the frontend sends a comm_msg, the
 *   target's handler answers with a comm_msg (median of 50), with and without
 *   a 1 MiB buffer (median of 10);
 * - the same while a cell awaits in a loop (ours only: ipykernel handles the
 *   message only once the cell has ended).
 *
 * Usage: deno run --allow-all bench/comm_roundtrip.ts   (needs .venv: scripts/setup.sh)
 * Both kernelspecs go to a temporary prefix; nothing of the user's is touched.
 */
import { install } from "../kernel/install.ts";
import { runKernelClients } from "./_kernel_clients.ts";

const PYTHON = String.raw`
import json, statistics, sys, time, uuid
from jupyter_client.manager import KernelManager

ECHO = {
    "deno-webgpu": """
comms.registerTarget("echo", (comm) => {
  comm.onMessage((m) => comm.send({ echo: m.data }, { buffers: m.buffers }));
});""",
    "ipykernel-bench": """
from comm import get_comm_manager
def _echo(comm, _open):
    @comm.on_msg
    def _answer(msg):
        comm.send({"echo": msg["content"]["data"]}, buffers=msg.get("buffers") or [])
get_comm_manager().register_target("echo", _echo)
""",
}
LOOP = """
console.log("looping");
globalThis.spin = true;
while (spin) await new Promise((r) => setTimeout(r, 1));"""

def until(kc, predicate, timeout=60):
    deadline = time.time() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        if predicate(msg): return msg

def execute(kc, code):
    msg_id = kc.execute(code)
    until(kc, lambda m: m["msg_type"] == "status" and m["parent_header"].get("msg_id") == msg_id
          and m["content"]["execution_state"] == "idle")

def start(name):
    km = KernelManager(kernel_name=name)
    km.start_kernel()
    kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=60)
    execute(kc, ECHO[name])
    comm_id = uuid.uuid4().hex
    kc.session.send(kc.shell_channel.socket, "comm_open", {"comm_id": comm_id, "target_name": "echo", "data": {}})
    return km, kc, comm_id

def round_trip(kc, comm_id, n, buffers=None):
    started = time.perf_counter()
    kc.session.send(kc.shell_channel.socket, "comm_msg", {"comm_id": comm_id, "data": {"n": n}}, buffers=buffers)
    until(kc, lambda m: m["msg_type"] == "comm_msg" and m["content"]["data"].get("echo", {}).get("n") == n)
    return time.perf_counter() - started

names = sys.argv[1:]
kernels = {name: start(name) for name in names}
plain = {name: [] for name in names}
big = {name: [] for name in names}
for n in range(5):  # warm up
    for name in names: round_trip(kernels[name][1], kernels[name][2], -1 - n)
for n in range(50):
    for name in names: plain[name].append(round_trip(kernels[name][1], kernels[name][2], n))
mib = [bytes(1024 * 1024)]
for n in range(10):
    for name in names: big[name].append(round_trip(kernels[name][1], kernels[name][2], 100 + n, mib))
km, kc, comm_id = kernels["deno-webgpu"]
looping = kc.execute(LOOP)
until(kc, lambda m: m["msg_type"] == "stream" and "looping" in m["content"]["text"])
busy = [round_trip(kc, comm_id, 200 + n) for n in range(50)]
results = {name: {"plain_ms": statistics.median(plain[name]) * 1000,
                  "mib_ms": statistics.median(big[name]) * 1000} for name in names}
results["deno-webgpu"]["busy_ms"] = statistics.median(busy) * 1000
kc.session.send(kc.control_channel.socket, "interrupt_request", {})
for name in names:
    km, kc, _ = kernels[name]
    kc.stop_channels(); km.shutdown_kernel(now=True)
print(json.dumps(results))
`;

const venvPython = new URL("../.venv/bin/python", import.meta.url).pathname;
const prefix = await Deno.makeTempDir({ prefix: "deno-webgpu-bench-" });
try {
  await install({ prefix });
  const spec = await new Deno.Command(venvPython, {
    args: [
      "-m",
      "ipykernel",
      "install",
      "--prefix",
      prefix,
      "--name",
      "ipykernel-bench",
    ],
    stdout: "null",
  }).output();
  if (!spec.success) throw new Error("cannot install ipykernel's kernelspec");
  const results = await runKernelClients(
    venvPython,
    PYTHON,
    prefix,
    ["deno-webgpu", "ipykernel-bench"],
  );
  const ours = results["deno-webgpu"];
  const theirs = results["ipykernel-bench"];
  const load = await Deno.readTextFile("/proc/loadavg").catch(() => "?");
  console.log(
    `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores, load average ${
      load.split(" ").slice(0, 3).join(" ")
    }`,
  );
  console.log("| comm_msg round trip | deno-webgpu | ipykernel | ratio |");
  console.log("| --- | --- | --- | --- |");
  for (
    const [label, key] of [
      ["between cells (ms, median of 50)", "plain_ms"],
      ["with a 1 MiB buffer (ms, median of 10)", "mib_ms"],
    ] as const
  ) {
    console.log(
      `| ${label} | ${ours[key].toFixed(1)} | ${theirs[key].toFixed(1)} | ${
        (ours[key] / theirs[key]).toFixed(2)
      } |`,
    );
  }
  console.log(
    `| while a cell awaits in a loop (ms, median of 50) | ${
      ours.busy_ms.toFixed(1)
    } | after the cell ends | |`,
  );
} finally {
  await Deno.remove(prefix, { recursive: true });
}
