#!/usr/bin/env bash
# Device check on a GPU machine (an NVIDIA H100 under the `run` tool):
# correctness of the matmul/conv2d kernels with the GPU tuning, then the
# Figures table, ours against tfjs-webgpu on the same adapter. Under 4
# minutes; everything lands in $OUT.
#
# Needs: a deno binary (DENO, default `deno` on PATH) and the npm packages
# already in node_modules/ (carry both; the machine reaches no registry).
# Usage: DENO=/path/to/deno OUT=/tmp/out bash bench/device_check.sh
set -uo pipefail
cd "$(dirname "$0")/.."
DENO="${DENO:-deno}"
OUT="${OUT:-out/device_check}"
mkdir -p "$OUT"

{ nvidia-smi || true; "$DENO" --version; } >"$OUT/machine.txt" 2>&1

# correctness first: a wrong kernel makes its figures meaningless
timeout 100 "$DENO" test --allow-all --cached-only tests/lib/device/ \
  >"$OUT/tests.txt" 2>&1
echo "tests exit $?" >>"$OUT/tests.txt"

timeout 120 "$DENO" run --allow-all --cached-only bench/main.ts --budget=0.5 \
  >"$OUT/bench.txt" 2>&1
echo "bench exit $?" >>"$OUT/bench.txt"

tail -n 3 "$OUT/tests.txt"
cat "$OUT/bench.txt"
