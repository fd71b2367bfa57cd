#!/usr/bin/env bash
# Benchmark (not part of the tests): studies indexed per second by the indexer vs a plain DCMTK
# findscu loop over the same days on the same Orthanc; prints both and the ratio.
# Usage: bench/indexer-bench.sh [studies=3000] [days=30] [runs=3]
# Uses the PACSMIG_* services when set (source a services.env), else starts its own Kafka and Cassandra.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export TCP_NODELAY=1 PACSMIG_HOME="$root"
mvn -B -o -q -pl indexing -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile="$root/target/bench.classpath" -Dmdep.includeScope=test
cp="indexing/target/classes:common/target/classes:services/harness/target/classes:$(cat "$root/target/bench.classpath")"
exec java -Xmx1g -Dlogback.configurationFile="$root/bench/logback.xml" -cp "$cp" bench/IndexerBench.java "$@"
