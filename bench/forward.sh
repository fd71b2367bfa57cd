#!/usr/bin/env bash
# Forward benchmark (not part of the tests): the migrator's forwarder (filesystem cache → Orthanc,
# SHA-256 check, state in Cassandra), without and with a rule set, vs DCMTK storescu of the same
# files to the same (emptied) Orthanc.
#
#   bench/forward.sh [studies seriesPerStudy instancesPerSeries associations]
#   e.g. bench/forward.sh 10 2 20 2
#
# Needs Kafka/Cassandra addresses in PACSMIG_* (source a services.env, e.g. from harness
# ServicesMain); without them the harness starts its own services for the run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cp_file="$root/target/bench-forward.classpath"
mkdir -p "$root/target"
mvn -B -q -o -DskipTests -pl forwarder-worker -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
export TCP_NODELAY=1 PACSMIG_HOME="$root"
classpath="$root/forwarder-worker/target/test-classes:$root/forwarder-worker/target/classes:$(cat "$cp_file")"
exec java -Xmx256m -cp "$classpath" org.pacsmigrator.forward.ForwardBenchmark "$@"
