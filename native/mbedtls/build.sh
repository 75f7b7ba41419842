#!/usr/bin/env bash
# Build build/mbedtls.wasm: mbedTLS 2.28 (Debian's source package, pinned and checksum-verified)
# + native/mbedtls/tls_glue.c, compiled for wasm32-wasi as a reactor module, then wasm-opt -Oz.
#
# Installs nothing: the tools come from .ci/setup.d/20-mbedtls.sh (Debian: clang lld wasi-libc
# libclang-rt-14-dev-wasm32 binaryen dpkg-dev). Sources are unpacked under .tls-build/ (ignored
# by git). The only system change it may make is a deb-src entry, so `apt-get source` works.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=native/mbedtls
WORK=.tls-build
OUT=build/mbedtls.wasm

# The pin: Debian bookworm's mbedtls source package and the sha256 of its files.
MBEDTLS_DEB_VERSION=2.28.3-1
MBEDTLS_UPSTREAM=2.28.3
DSC_SHA256=a8bf91b5ffb40654efb0ebe0c962ac1e87b8eed5e104880982eaa70dd4bb33e3
ORIG_SHA256=3b4953aa55a681e084d31892d9904cc5328d6b4958ea57b90ae4b4f94ae69a8d
DEBIAN_SHA256=3e03c61f63c7bbcd0bf695b53e6663ab448cc2e15429cd67d0e4f32e699645a9
DSC=mbedtls_${MBEDTLS_DEB_VERSION}.dsc
ORIG=mbedtls_${MBEDTLS_UPSTREAM}.orig.tar.gz
DEBTAR=mbedtls_${MBEDTLS_DEB_VERSION}.debian.tar.xz
SRC=$WORK/mbedtls-$MBEDTLS_UPSTREAM

die() { echo "build:tls: $*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------------------
for tool in clang wasm-ld wasm-opt dpkg-source sha256sum; do
  command -v "$tool" >/dev/null || die "missing '$tool' — run: bash .ci/setup.d/20-mbedtls.sh (installs clang lld wasi-libc libclang-rt-14-dev-wasm32 binaryen dpkg-dev)"
done
[ -f /usr/include/wasm32-wasi/stdlib.h ] || die "missing wasi-libc headers (/usr/include/wasm32-wasi) — apt-get install wasi-libc"
ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1 \
  || die "missing compiler-rt for wasm32 — apt-get install libclang-rt-14-dev-wasm32"

# --- up to date? -------------------------------------------------------------------------
if [ -f "$OUT" ] && [ "$OUT" -nt "$HERE/build.sh" ] && [ "$OUT" -nt "$HERE/mbedtls_config.h" ] \
   && [ "$OUT" -nt "$HERE/tls_glue.c" ] && [ "${MFP_TLS_REBUILD:-0}" != 1 ]; then
  echo "build:tls: $OUT is up to date ($(stat -c %s "$OUT") bytes; MFP_TLS_REBUILD=1 forces a rebuild)"
  exit 0
fi

# --- source: apt-get source, pinned, verified ---------------------------------------------
mkdir -p "$WORK" build
verify() {
  (cd "$WORK" && printf '%s  %s\n%s  %s\n%s  %s\n' \
    "$DSC_SHA256" "$DSC" "$ORIG_SHA256" "$ORIG" "$DEBIAN_SHA256" "$DEBTAR" | sha256sum --quiet -c -) 2>/dev/null
}
have_deb_src() { grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; }

if ! verify; then
  # The deb-src entry is set up once, with the toolchain, by .ci/setup.d/20-mbedtls.sh.
  have_deb_src || die "no deb-src entry for apt-get source; run .ci/setup.d/20-mbedtls.sh as root first"
  echo "build:tls: apt-get source mbedtls=$MBEDTLS_DEB_VERSION"
  rm -f "$WORK/$DSC" "$WORK/$ORIG" "$WORK/$DEBTAR"
  (cd "$WORK" && apt-get source --download-only -qq "mbedtls=$MBEDTLS_DEB_VERSION" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
  verify || die "checksum mismatch or download failed for mbedtls $MBEDTLS_DEB_VERSION (expected sha256 $ORIG_SHA256 for $ORIG)"
fi
echo "build:tls: sources verified (mbedtls $MBEDTLS_DEB_VERSION, orig sha256 $ORIG_SHA256)"
# The maintainer's OpenPGP signature on the .dsc is not checked (no keyring for it here): apt
# verified the files against the signed archive index, and the sha256 pin above fixes them.
if [ ! -f "$SRC/.mfp-unpacked" ]; then
  rm -rf "$SRC"
  (cd "$WORK" && dpkg-source -q -x "$DSC" "mbedtls-$MBEDTLS_UPSTREAM" 2>&1 | grep -v 'gpgv\|cannot verify\|OpenPGP\|no-check' || true)
  [ -f "$SRC/library/ssl_tls.c" ] || die "dpkg-source did not unpack $DSC"
  touch "$SRC/.mfp-unpacked"
fi

# --- compile -------------------------------------------------------------------------------
OBJ=$WORK/obj
rm -rf "$OBJ" && mkdir -p "$OBJ"
CFLAGS=(--target=wasm32-wasi -Oz -flto -ffunction-sections -fdata-sections
        -DMBEDTLS_CONFIG_FILE='"mbedtls_config.h"' -I"$HERE" -I"$SRC/include"
        -Wall -Wno-unused-function)
export CFLAGS_STR="${CFLAGS[*]}"
echo "build:tls: compiling $(ls "$SRC"/library/*.c | wc -l) library files + glue"
ls "$SRC"/library/*.c "$HERE"/tls_glue.c | xargs -P "$(nproc)" -I{} sh -c \
  'clang '"$(printf '%q ' "${CFLAGS[@]}")"' -c "$1" -o "'"$OBJ"'/$(basename "$1" .c).o"' _ {}

# Link: a reactor (no main; the host calls _initialize once). Linear memory grows on demand up
# to 16 MiB; the shadow stack is 64 KiB (ECP/bignum code is the deepest user).
RAW=$WORK/mbedtls.raw.wasm
clang --target=wasm32-wasi -Oz -flto -mexec-model=reactor -o "$RAW" "$OBJ"/*.o \
  -Wl,--gc-sections -Wl,--strip-all -Wl,-z,stack-size=65536 -Wl,--max-memory=16777216

OPT=$WORK/mbedtls.opt.wasm
wasm-opt -Oz --strip-debug --strip-producers "$RAW" -o "$OPT"
raw=$(stat -c %s "$RAW"); opt=$(stat -c %s "$OPT")
# clang -Oz -flto already leaves little for binaryen; keep whichever is smaller.
if [ "$opt" -le "$raw" ]; then cp "$OPT" "$OUT"; else cp "$RAW" "$OUT"; fi
size=$(stat -c %s "$OUT"); gz=$(gzip -9c "$OUT" | wc -c)
echo "build:tls: wrote $OUT — $size bytes, gzip -9 $gz (clang -Oz -flto: $raw, after wasm-opt -Oz: $opt)"
