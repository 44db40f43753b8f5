#!/usr/bin/env bash
# Regenerates every PyTorch reference file in tests/lib/fixtures/ that the
# tests and notebooks 04 and 05 read (PyTorch is never needed to run them):
#   course_curve.json  tools/references/course_curve.py (the course AlexNet's first 20 steps; notebook 04's run)
#   figure1.json       tools/references/figure1.py (notebook 05: Figure 1 and the ablations)
# Creates .venv-torch/ with the CPU build of PyTorch first. Took 26 + 8
# minutes on two CPU cores shared with other work. Usage: bash tools/make_references.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-torch/bin/python ]; then
  python3 -m venv .venv-torch
  .venv-torch/bin/pip install torch==2.13.0
  .venv-torch/bin/pip install numpy==2.2.6
fi
mkdir -p out/references
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/runtime-0}"
deno run -A tools/references/course_draws.ts out/references/course_draws.json
.venv-torch/bin/python tools/references/course_curve.py out/references/course_draws.json
.venv-torch/bin/python tools/references/figure1.py
deno fmt tests/lib/fixtures/course_curve.json tests/lib/fixtures/figure1.json # the repository's fmt check covers JSON
