#!/usr/bin/env bash
# Device check of the GEMM kernels on a GPU machine (an NVIDIA H100 under
# the `run` tool): the matmul/conv2d tests with the adapter's (GPU) tuning,
# then the Figures table, ours and, where its npm packages were carried,
# tfjs-webgpu on the same adapter. Under 4 minutes; results land in $OUT.
#
# Needs a working `deno` with a Vulkan adapter (tools/device_check.sh
# shows how to set both up from carried packages). DENO picks the binary,
# DENO_FLAGS adds flags such as `--config /tmp/device.json --no-lock`.
# Usage: OUT=/tmp/out bash bench/device_check.sh
set -uo pipefail
cd "$(dirname "$0")/.."
DENO="${DENO:-deno}"
read -r -a FLAGS <<<"${DENO_FLAGS:-}"
OUT="${OUT:-out/device_check}"
mkdir -p "$OUT"

{ nvidia-smi || true; "$DENO" --version; } >"$OUT/machine.txt" 2>&1

# correctness first: a wrong kernel makes its figures meaningless
timeout 100 "$DENO" test -A --no-check "${FLAGS[@]}" tests/lib/device/ \
  >"$OUT/gemm_tests.txt" 2>&1
echo "tests exit $?" >>"$OUT/gemm_tests.txt"

# --budget: about 0.5 s of samples per row and side is plenty on a GPU
timeout 120 "$DENO" run -A --no-check "${FLAGS[@]}" bench/main.ts --budget=0.5 \
  >"$OUT/gemm_bench.txt" 2>&1
echo "bench exit $?" >>"$OUT/gemm_bench.txt"

tail -n 3 "$OUT/gemm_tests.txt"
cat "$OUT/gemm_bench.txt"
