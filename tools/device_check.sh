#!/usr/bin/env bash
# The GPU check, for a lent machine with an NVIDIA GPU and no network (this
# workplace's `device` tool). It runs the library's tests, the tuner and the
# benches on the real GPU and writes logs to $OUT. The caller carries, beside
# the working tree:
#   .gl/       the Vulkan loader's Debian packages (libvulkan1, libglvnd ...)
#   .denopkg/  the npm tarball of @deno/linux-x64-glibc (the pinned Deno)
#   .devnm/    node_modules with only the image codecs (fast-png, jpeg-js)
set -uo pipefail
OUT="${OUT:-/tmp/out}"
mkdir -p "$OUT"
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
mkdir -p /tmp/deno && tar xzf .denopkg/*.tgz -C /tmp/deno
export PATH="/tmp/deno/package:$PATH" XDG_RUNTIME_DIR=/tmp/xdg
mkdir -p -m 700 /tmp/xdg
rm -rf node_modules && cp -a .devnm node_modules
# Offline: only the codecs are needed, so a config naming just them, no lock, no type check.
echo '{"imports": {"fast-png": "npm:fast-png@8.0.0", "jpeg-js": "npm:jpeg-js@0.4.4"}, "nodeModulesDir": "manual"}' >/tmp/device.json
run() { deno "$1" -A --no-check --config /tmp/device.json --no-lock "${@:2}"; }
probe='const a = await navigator.gpu.requestAdapter(); console.log(a ? JSON.stringify({...a.info, limits: a.limits.maxStorageBufferBindingSize}) : "none"); Deno.exit(a ? 0 : 1)'
if ! deno eval "$probe"; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  deno eval "$probe" || { nvidia-smi; exit 1; }
fi
nvidia-smi --query-gpu=name,memory.total --format=csv | tee "$OUT/gpu.txt"
section() { echo; echo "==== $*"; }
{
  section tests
  DENO_WEBGPU_TUNE=off run test tests/lib/*.ts tests/lib/core tests/lib/ops tests/lib/nn tests/lib/optim tests/lib/models tests/lib/device tests/lib/train 2>&1 | grep -v "^\s*$" | tail -40
} 2>&1 | tee "$OUT/tests.log"
{
  # first, so that the step below runs tuned choices at batch 128 (the
  # bench's batch-8 conv rows and the batch-32 step tune at first use)
  section "deno task tune (batch 128)"
  timeout 200 deno run -A --no-check --config /tmp/device.json --no-lock bench/tune.ts --batch=128
} 2>&1 | tee "$OUT/tune.log"
{
  section "GEMM and conv bench (ours)"
  timeout 240 deno run -A --no-check --config /tmp/device.json --no-lock bench/main.ts --no-tfjs
  section "AlexNet training step"
  timeout 200 deno run -A --no-check --config /tmp/device.json --no-lock bench/alexnet_step.ts --batch=32,128 --steps=5 --no-tfjs
} 2>&1 | tee "$OUT/bench.log"
