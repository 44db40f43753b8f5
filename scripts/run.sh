#!/usr/bin/env bash
# The README's entry point: sets up what is missing, then runs a deno task.
#   bash scripts/run.sh test    every test
#   bash scripts/run.sh demo    the main job: the AlexNet notebooks, executed
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
export PATH="$HOME/.local/bin:$PATH"
cd "$ROOT"
exec deno task "${1:-test}" "${@:2}"
