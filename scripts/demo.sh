#!/usr/bin/env bash
# The demo migration in one command: installs what is missing, builds, starts two Orthancs
# (old and new PACS), seeds the old one with synthetic studies and migrates them.
# Extra arguments go to `demo` (e.g. --studies 50 --retrieve C-GET --dir /tmp/demo).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/setup.sh
mvn -B -q -DskipTests package
exec scripts/migrate.sh demo "$@"
