#!/usr/bin/env bash
# Installs what the web console's browser test needs: Debian's Chromium and the pinned
# playwright-core (console/src/test/node/package-lock.json) that drives it. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -x /usr/bin/chromium ]; then
  echo "setup-browser: installing chromium"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
check="$root/console/src/test/node"
if [ ! -d "$check/node_modules/playwright-core" ]; then
  echo "setup-browser: npm ci in console/src/test/node/"
  npm ci --prefix "$check" --no-audit --no-fund --loglevel=error
fi
