#!/usr/bin/env bash
# The course's full training run on a lent GPU machine (no network), for a
# few epochs: `bash tools/device_train.sh EPOCHS`. Carried beside the tree:
#   .gl/     the Vulkan loader's Debian packages
#   .denoxz/ the pinned Deno binary, xz-compressed (fits the carry limit with the data)
#   .devnm/  node_modules with only the image codecs
#   .fmnist/ the four Fashion-MNIST files (from ../shared/data/fashion-mnist)
set -uo pipefail
OUT="${OUT:-/tmp/out}"
mkdir -p "$OUT" /tmp/deno
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
xz -dc .denoxz/deno.xz >/tmp/deno/deno 2>/dev/null ||
  python3 -c 'import lzma,shutil; shutil.copyfileobj(lzma.open(".denoxz/deno.xz"), open("/tmp/deno/deno","wb"))'
chmod +x /tmp/deno/deno
export PATH="/tmp/deno:$PATH" XDG_RUNTIME_DIR=/tmp/xdg FASHION_MNIST_DIR="$PWD/.fmnist"
mkdir -p -m 700 /tmp/xdg
rm -rf node_modules && cp -a .devnm node_modules
echo '{"imports": {"fast-png": "npm:fast-png@8.0.0", "jpeg-js": "npm:jpeg-js@0.4.4"}, "nodeModulesDir": "manual"}' >/tmp/device.json
deno eval 'const a = await navigator.gpu.requestAdapter(); Deno.exit(a ? 0 : 1)' ||
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
deno run -A --no-check --config /tmp/device.json --no-lock tools/train_course.ts "${1:-3}" 2>&1 | tee "$OUT/train.log"
