#!/usr/bin/env bash
# THE test command of the project (CI runs it through .ci/run in a fresh clone):
# installs prerequisites, builds, starts Kafka, Cassandra and the two Orthanc PACS once, runs every
# module's tests against them (TestServices attaches through the PACSMIG_* variables), stops the
# services and exits with Maven's exit code. Service data and logs: target/test-services/.
# Arguments go to both Maven runs, e.g. scripts/test.sh -pl services/harness -am
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

"$root/scripts/setup.sh"
"$root/scripts/setup-browser.sh"

# package, not install: everything runs from target/, the local Maven repository stays as it was.
# It also writes target/runtime/{kafka,cassandra,harness}.classpath.
mvn -B -DskipTests package "$@"

out="$root/target/test-services"
rm -rf "$out"
mkdir -p "$out"
# a copy, because the verify build below recompiles services/harness/target/classes
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

echo "test.sh: starting services (log: $out/services-main.log)"
set -m   # job control: the background job gets its own process group, killed as a whole at exit
PACSMIG_HOME="$root" java -cp "$classpath" org.pacsmigrator.harness.ServicesMain start "$out" "$out/services.env" --exit-with-parent \
  >"$out/services-main.log" 2>&1 &
services_pid=$!
set +m

for _ in $(seq 1 600); do
  [ -f "$out/services.env" ] && break
  if ! kill -0 "$services_pid" 2>/dev/null; then
    echo "test.sh: services failed to start:" >&2
    tail -50 "$out/services-main.log" >&2
    exit 1
  fi
  sleep 0.5
done
if [ ! -f "$out/services.env" ]; then
  echo "test.sh: services not ready after 300 s" >&2
  tail -50 "$out/services-main.log" >&2
  exit 1
fi
cat "$out/services-main.log"
# shellcheck disable=SC1091
. "$out/services.env"
export PACSMIG_HOME="$root"
export TCP_NODELAY=1   # DCMTK tools started by tests read it (40 ms stalls per transfer without it)

set +e
mvn -B verify "$@"
rc=$?
set -e
exit "$rc"
