#!/usr/bin/env bash
# mbedtls-wasm: the toolchain that compiles mbedTLS 2.28 to wasm32-wasi, plus a deb-src
# entry so `apt-get source mbedtls` can fetch Debian's source package. Idempotent, non-interactive.
# The build itself (`npm run build:tls` → native/mbedtls/build.sh) needs no node_modules, so it
# runs here, before `npm ci`.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
cd "$(dirname "$0")/../.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# A deb-src entry for Debian's main archive (bookworm), added once.
SRC_LIST=/etc/apt/sources.list.d/mfp-mail-deb-src.sources
need_update=0
if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  $SUDO tee "$SRC_LIST" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  need_update=1
fi

PKGS=(clang lld wasi-libc libclang-rt-14-dev-wasm32 binaryen dpkg-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ] || [ "$need_update" = 1 ]; then
  $SUDO apt-get update -qq
fi
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Build build/mbedtls.wasm (plain bash + the tools above; node_modules is not needed).
bash native/mbedtls/build.sh
