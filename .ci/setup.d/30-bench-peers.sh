#!/usr/bin/env bash
# Peers for `npm run bench` (and its --quick smoke test): curl and swaks as SMTP clients,
# valgrind for instruction counts, /usr/bin/time for peak RSS.
set -euo pipefail
need=()
for p in curl swaks libnet-ssleay-perl libio-socket-ssl-perl valgrind time; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then apt-get install -y -qq --no-install-recommends "${need[@]}"; fi
