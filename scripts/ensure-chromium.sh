#!/usr/bin/env bash
# Makes sure Debian's Chromium is present: the browser tests drive it with Playwright (whose own browser
# download does not work here).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium is missing: install Debian's 'chromium' package (the browser tests will be skipped)." >&2
  exit 0
fi
echo "Installing Debian's chromium package ..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
