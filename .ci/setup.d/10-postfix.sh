#!/usr/bin/env bash
# Postfix (the on-premises MTA that MFPs talk to) + Cyrus SASL tools for the end-to-end tests.
# The tests never use /etc/postfix: test/fixtures/postfix.ts runs a throw-away instance from a
# temp config dir on a loopback port. Here we only install the binaries, non-interactively,
# and make sure the packaged default instance is not running (nothing may listen on :25).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "10-postfix: not root or no apt-get; the Postfix tests will be skipped" >&2
  exit 0
fi

need=()
command -v postconf >/dev/null || need+=(postfix)
command -v saslpasswd2 >/dev/null || need+=(sasl2-bin)
dpkg -s libsasl2-modules >/dev/null 2>&1 || need+=(libsasl2-modules)
dpkg -s libsasl2-modules-db >/dev/null 2>&1 || need+=(libsasl2-modules-db)

if [ "${#need[@]}" -gt 0 ]; then
  # "No configuration": the package installs binaries and a default main.cf we never use.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  echo "postfix postfix/mailname string localhost" | debconf-set-selections
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# The package may start the default instance (in containers usually not): stop it, so the only
# Postfix on this machine is the one each test starts on its own port.
if postfix status >/dev/null 2>&1; then
  postfix stop >/dev/null 2>&1 || true
fi
postconf -d mail_version
