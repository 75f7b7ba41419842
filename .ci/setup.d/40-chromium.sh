#!/usr/bin/env bash
# Debian's Chromium for the front-panel browser tests (driven by playwright-core; no browser
# download ever happens).
set -euo pipefail
dpkg -s chromium >/dev/null 2>&1 || apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
