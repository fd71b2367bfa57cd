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

suite=(mvn -B -pl migrator -am test -Dsurefire.excludedGroups= -Dgroups=faults -Dsurefire.runOrder=alphabetical
       -Dsurefire.failIfNoSpecifiedTests=false "$@")
set +e
if [ -z "${PACSMIG_KAFKA:-}" ]; then
  "$root/scripts/with-services.sh" "$root/target/fault-services" "${suite[@]}"
else
  echo "faults.sh: using the services at PACSMIG_KAFKA=$PACSMIG_KAFKA, PACSMIG_CASSANDRA=$PACSMIG_CASSANDRA"
  PACSMIG_HOME="$root" TCP_NODELAY=1 "${suite[@]}"
fi
rc=$?
set -e

echo
if [ -f "$results/results.md" ]; then
  echo "Fault suite results ($results/results.md):"
  echo
  cat "$results/results.md"
else
  echo "faults.sh: no results table was written" >&2
fi
exit "$rc"
