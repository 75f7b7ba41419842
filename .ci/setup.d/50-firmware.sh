#!/usr/bin/env bash
# The firmware lane (npm run test:firmware, and the last phase of npm test): wabt's wasm2c and
# its runtime sources, a C compiler, the ARMv7 hard-float cross compiler with its C library, and
# qemu-user to run the ARM build. valgrind (30-bench-peers.sh) adds the x86-64 and V8
# instruction counts of the footprint table. Without these the lane's wasm2c engines are skipped.
set -euo pipefail
need=()
command -v wasm2c >/dev/null && [ -e /usr/share/wabt/wasm2c/wasm-rt-impl.c ] || need+=(wabt)
command -v gcc >/dev/null || need+=(gcc)
command -v make >/dev/null || need+=(make)
command -v arm-linux-gnueabihf-gcc >/dev/null || need+=(gcc-arm-linux-gnueabihf)
[ -e /usr/arm-linux-gnueabihf/lib/ld-linux-armhf.so.3 ] || need+=(libc6-dev-armhf-cross)
command -v qemu-arm >/dev/null || need+=(qemu-user)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "50-firmware: cannot install ${need[*]}; the firmware lane's wasm2c engines will be skipped" >&2
  exit 0
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
