#!/usr/bin/env bash
# Installs what the project needs on a Debian machine, and nothing twice:
#   - Deno, pinned, from the npm registry (the `deno` package) when missing;
#   - Mesa's lavapipe Vulkan driver when no Vulkan driver is installed;
#   - the Debian packages the tests and the notebooks use;
#   - the npm packages named in deno.json (as pinned by deno.lock).
# No other downloads. Safe to run again.
set -euo pipefail

DENO_VERSION="2.9.6"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Debian packages: Jupyter clients for the kernel tests and the main job, the
# data set, and the browser check of plots.
APT_PACKAGES=(
  python3-jupyter-client python3-nbclient python3-nbformat python3-nbconvert
  jupyter-notebook chromium dataset-fashion-mnist
)
VULKAN_PACKAGES=(mesa-vulkan-drivers libvulkan1)
# PyPI packages of the project's .venv (git-ignored): JupyterLab 4 and
# Notebook 7 for the browser checks, plotly for its Lab renderer extension,
# ipywidgets 8 with its Lab/Notebook 7 extensions for the widget checks,
# Kernel Gateway for the remote-kernel check, jupyter_kernel_test. Their
# dependencies are pinned by scripts/venv_constraints.txt (pip freeze of a
# working venv; regenerate it after changing this list).
BROWSER_PIP_PACKAGES=(
  jupyterlab==4.6.6 notebook==7.6.5 plotly==7.1.0
  ipywidgets==8.1.9 jupyterlab_widgets==3.0.17 widgetsnbextension==4.0.16
  jupyter_kernel_gateway==3.0.1 jupyter_kernel_test==0.7.0
)

log() { printf '[setup] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root to run: $*"; return 1
  fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ -z "${APT_UPDATED:-}" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_deno() {
  if command -v deno >/dev/null && deno --version | head -1 | grep -q "deno $DENO_VERSION "; then return 0; fi
  command -v npm >/dev/null || apt_install npm
  local prefix="${DENO_NPM_PREFIX:-$HOME/.cache/deno-npm/$DENO_VERSION}"
  log "installing Deno $DENO_VERSION from the npm registry into $prefix"
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "deno@$DENO_VERSION" >/dev/null
  local bin
  bin="$(find "$prefix/node_modules/@deno" -maxdepth 2 -name deno -type f | head -1)"
  [ -x "$bin" ] || { log "the deno npm package has no binary for this platform"; exit 1; }
  local target_dir=/usr/local/bin
  [ -w "$target_dir" ] || target_dir="$HOME/.local/bin"
  mkdir -p "$target_dir"
  ln -sf "$bin" "$target_dir/deno"
  case ":$PATH:" in *":$target_dir:"*) ;; *) log "add $target_dir to PATH"; export PATH="$target_dir:$PATH" ;; esac
}

# Creates .venv with Debian's python3 and installs the pinned packages unless
# they are there already (pip's own check is slow, so a stamp records the list).
venv_install() {
  local venv="$ROOT/.venv" stamp="$ROOT/.venv/.browser-packages"
  local constraints="$ROOT/scripts/venv_constraints.txt" want
  want="${BROWSER_PIP_PACKAGES[*]} $(sha256sum "$constraints" | cut -c1-16)"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
  apt_install python3-venv
  [ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv "$venv"
  log "installing into .venv: ${BROWSER_PIP_PACKAGES[*]}"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -c "$constraints" \
    "${BROWSER_PIP_PACKAGES[@]}"
  "$venv/bin/python" -c "import jupyterlab, notebook, plotly, ipywidgets, kernel_gateway, jupyter_kernel_test"
  echo "$want" >"$stamp"
}

has_webgpu_adapter() {
  deno eval 'const a = await navigator.gpu?.requestAdapter(); Deno.exit(a ? 0 : 1)' >/dev/null 2>&1
}

# Vulkan's loader warns on every process start without a runtime folder.
if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -d "$XDG_RUNTIME_DIR" ]; then
  export XDG_RUNTIME_DIR="${TMPDIR:-/tmp}/runtime-$(id -u)"
  mkdir -p -m 700 "$XDG_RUNTIME_DIR"
fi

# A Vulkan driver (ICD) is installed. Without one, Deno's WebGPU falls back to
# OpenGL where Mesa's GL driver is present: llvmpipe again, but slower and with
# fewer features than lavapipe, so an adapter alone does not prove Vulkan.
has_vulkan_driver() {
  local dir
  for dir in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d; do
    compgen -G "$dir/*.json" >/dev/null && return 0
  done
  return 1
}

install_deno
# An ICD alone does not prove a working driver (a container may mount one
# for a GPU it does not pass through): without an adapter, lavapipe too.
if ! has_vulkan_driver || ! has_webgpu_adapter; then
  log "no working Vulkan driver found: installing Mesa's lavapipe (software Vulkan)"
  apt_install "${VULKAN_PACKAGES[@]}"
fi
has_webgpu_adapter || { log "no WebGPU adapter found (Vulkan drivers: ${VULKAN_PACKAGES[*]})"; exit 1; }
apt_install "${APT_PACKAGES[@]}"
venv_install
cd "$ROOT"
deno install --frozen >/dev/null 2>&1 || deno install >/dev/null
log "ready: $(deno --version | head -1)"
