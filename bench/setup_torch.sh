#!/usr/bin/env bash
# Installs what `deno run -A bench/alexnet_step.ts --torch` compares with:
# Debian's PyTorch and the pthread OpenBLAS it runs on the CPU with. Bench
# only: the tests never need it. Idempotent.
set -euo pipefail
if ! dpkg -s python3-torch libopenblas0-pthread >/dev/null 2>&1; then
  apt-get update -qq
  apt-get install -y --no-install-recommends python3-torch libopenblas0-pthread
fi
/usr/bin/python3 -c 'import torch; print("torch", torch.__version__)'
