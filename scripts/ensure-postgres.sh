#!/usr/bin/env bash
# Makes sure Debian's PostgreSQL server binaries are present (the tests start a throwaway cluster with them).
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "PostgreSQL server binaries are missing: install Debian's 'postgresql' package." >&2
  exit 1
fi
echo "Installing Debian's postgresql package ..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
