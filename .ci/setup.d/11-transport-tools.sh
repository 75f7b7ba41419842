#!/usr/bin/env bash
# test/transport/tcp.test.ts proves the connect timeout against a listening socket that never
# accepts (backlog 0, queue full); Node always accepts, so a 10-line python3 listener does it.
# Without python3 that one test is skipped, so install the minimal interpreter if it is missing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if command -v python3 >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "11-transport-tools: no python3 and cannot install it; the connect-timeout test will be skipped" >&2
  exit 0
fi
apt-get install -y -qq --no-install-recommends python3-minimal
