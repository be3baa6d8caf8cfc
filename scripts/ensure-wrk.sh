#!/usr/bin/env bash
# Makes sure Debian's wrk is present: B2 and B3 put their HTTP load on the server with it (a C load generator,
# so that the load costs little of the cores the server runs on).
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "wrk is missing: install Debian's 'wrk' package (B2 and B3 will report that they failed)." >&2
  exit 0
fi
echo "Installing Debian's wrk package ..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
