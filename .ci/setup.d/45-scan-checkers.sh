#!/usr/bin/env bash
# qpdf and libtiff-tools: test/scan checks the simulated scanner's PDF (`qpdf --check`) and
# multi-page TIFF (`tiffinfo -D`) with independent readers.
set -euo pipefail
need=()
command -v qpdf >/dev/null || need+=(qpdf)
command -v tiffinfo >/dev/null || need+=(libtiff-tools)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
