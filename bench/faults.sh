#!/usr/bin/env bash
# The fault suite (issue 8; not part of scripts/test.sh: it takes 30-60 minutes). Builds, starts
# Kafka, Cassandra and the Orthancs once (as scripts/test.sh does), runs the JUnit tests tagged
# "faults" (migrator/src/test/java/org/pacsmigrator/faults), stops the services and prints the table:
# scenario, faults injected, instances expected, found, duplicates, result.
#
#   bench/faults.sh                         every scenario
#   bench/faults.sh -Dtest='Fault1*'        one scenario class (Maven arguments are passed on)
#   bench/faults.sh -Dfaults.seed=42 -Dfaults.kills=8   replay a kill schedule / more kills
#
# Attaches to running services instead when PACSMIG_KAFKA/PACSMIG_CASSANDRA are set (source a
# services.env). The table: migrator/target/faults/results.md; JUnit reports:
# migrator/target/surefire-reports/TEST-org.pacsmigrator.faults.*.xml; logs and work directories of
# every scenario: migrator/target/faults/work/. Exit code: Maven's (0 when every scenario passed).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

"$root/scripts/setup.sh"

# package, not install: writes target/runtime/*.classpath for the Kafka/Cassandra child JVMs
mvn -B -q -DskipTests package

results="$root/migrator/target/faults"
# a tmpfs the disk-full scenario left mounted (its JVM killed): unmount before deleting
grep -o " $results/[^ ]*" /proc/mounts 2>/dev/null | xargs -r -n1 umount -l 2>/dev/null || true
rm -rf "$results"
mkdir -p "$results"

services_pid=""
stop_services() {
  local rc=$?
  if [ -n "$services_pid" ]; then
    kill -TERM "$services_pid" 2>/dev/null || true
    for _ in $(seq 1 120); do
      kill -0 "$services_pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL -- "-$services_pid" 2>/dev/null || true
  fi
  if [ -f "$results/results.md" ]; then
    echo
    echo "Fault suite results ($results/results.md):"
    echo
    cat "$results/results.md"
  else
    echo "faults.sh: no results table was written" >&2
  fi
  exit "$rc"
}
trap stop_services EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

if [ -z "${PACSMIG_KAFKA:-}" ]; then
  out="$root/target/fault-services"
  rm -rf "$out"
  mkdir -p "$out"
  cp services/harness/target/harness-*.jar "$out/harness.jar"
  classpath="$out/harness.jar:$(cat target/runtime/harness.classpath)"
  echo "faults.sh: starting services (log: $out/services-main.log)"
  set -m
  PACSMIG_HOME="$root" java -cp "$classpath" org.pacsmigrator.harness.ServicesMain start "$out" "$out/services.env" \
    --exit-with-parent >"$out/services-main.log" 2>&1 &
  services_pid=$!
  set +m
  for _ in $(seq 1 600); do
    [ -f "$out/services.env" ] && break
    if ! kill -0 "$services_pid" 2>/dev/null; then
      echo "faults.sh: services failed to start:" >&2
      tail -50 "$out/services-main.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  if [ ! -f "$out/services.env" ]; then
    echo "faults.sh: services not ready after 300 s" >&2
    exit 1
  fi
  # shellcheck disable=SC1091
  . "$out/services.env"
else
  echo "faults.sh: using the services at PACSMIG_KAFKA=$PACSMIG_KAFKA, PACSMIG_CASSANDRA=$PACSMIG_CASSANDRA"
fi
export PACSMIG_HOME="$root"
export TCP_NODELAY=1

set +e
mvn -B -pl migrator -am test -Dsurefire.excludedGroups= -Dgroups=faults -Dsurefire.runOrder=alphabetical \
  -Dsurefire.failIfNoSpecifiedTests=false "$@"
rc=$?
set -e
exit "$rc"
