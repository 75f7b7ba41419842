#!/usr/bin/env bash
# qpdf: test/scan checks the simulated scanner's PDF with `qpdf --check`.
set -euo pipefail
if command -v qpdf >/dev/null; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qpdf >/dev/null
fi
