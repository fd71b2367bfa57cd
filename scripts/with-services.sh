#!/usr/bin/env bash
# Runs a command with the test services up: starts Kafka, Cassandra and the two Orthanc PACS once
# (ServicesMain of the built harness; data and logs under <dir>), exports their addresses
# (PACSMIG_* from <dir>/services.env, TestServices attaches through them), PACSMIG_HOME and
# TCP_NODELAY=1, runs the command, stops the services, and exits with the command's exit code.
# Needs a built tree (mvn -DskipTests package writes target/runtime/harness.classpath).
#   scripts/with-services.sh <dir> <command> [args...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="$1"
shift
name="$(basename "${0%.sh}")"

rm -rf "$out"
mkdir -p "$out"
# a copy, because a later build may recompile services/harness/target/classes
cp services/harness/target/harness-*.jar "$out/harness.jar"
classpath="$out/harness.jar:$(cat target/runtime/harness.classpath)"

services_pid=""
stop_services() {
  local rc=$?
  if [ -n "$services_pid" ]; then
    # SIGTERM to ServicesMain: its shutdown hook stops the children gracefully
    kill -TERM "$services_pid" 2>/dev/null || true
    for _ in $(seq 1 120); do
      kill -0 "$services_pid" 2>/dev/null || break
      sleep 0.5
    done
    # whatever is left in the job's process group (its own group, see set -m below)
    kill -KILL -- "-$services_pid" 2>/dev/null || true
  fi
  exit "$rc"
}
trap stop_services EXIT
trap 'exit 143' TERM   # turn signals into an exit so the EXIT trap stops the services
trap 'exit 130' INT

echo "$name: starting services (log: $out/services-main.log)"
set -m   # job control: the background job gets its own process group, killed as a whole at exit
PACSMIG_HOME="$root" java -cp "$classpath" org.pacsmigrator.harness.ServicesMain start "$out" "$out/services.env" --exit-with-parent \
  >"$out/services-main.log" 2>&1 &
services_pid=$!
set +m

for _ in $(seq 1 600); do
  [ -f "$out/services.env" ] && break
  if ! kill -0 "$services_pid" 2>/dev/null; then
    echo "$name: services failed to start:" >&2
    tail -50 "$out/services-main.log" >&2
    exit 1
  fi
  sleep 0.5
done
if [ ! -f "$out/services.env" ]; then
  echo "$name: services not ready after 300 s" >&2
  tail -50 "$out/services-main.log" >&2
  exit 1
fi
cat "$out/services-main.log"
# shellcheck disable=SC1091
. "$out/services.env"
export PACSMIG_HOME="$root"
export TCP_NODELAY=1   # DCMTK tools started by tests read it (40 ms stalls per transfer without it)

set +e
"$@"
rc=$?
set -e
exit "$rc"
