#!/usr/bin/env bash
# Benchmark (not part of the tests): the state store at an archive's scale (issue 21). Starts a Cassandra node of its
# own (the harness's CassandraNode, data under <dir>), writes synthetic study, status and instance rows (no images),
# then measures progress polls, the console's store calls (p50/p99) and the report's time and peak heap.
# Usage: bench/state-scale.sh [studies=1000000] [instancesPerStudy=10] [days=1000] [reportStudies=studies]
#        [reportInstancesPerStudy=instancesPerStudy] [dir=target/state-scale-bench]
# The report runs on a keyspace of its own when its shape differs (it reads every instance row of every study).
# Rows already written in <dir> (same shape) are reused: delete <dir> to write them again.
# STATE_SCALE_ONLY=report runs the report alone, =store all but the report, =console the console calls alone.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export TCP_NODELAY=1 PACSMIG_HOME="$root"
mvn -B -o -q -pl common -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile="$root/target/state-scale.classpath" -Dmdep.includeScope=test
cp="common/target/classes:services/harness/target/classes:$(cat "$root/target/state-scale.classpath")"
exec java -Xmx${BENCH_HEAP:-512m} -Dlogback.configurationFile="$root/bench/logback.xml" -cp "$cp" bench/StateScaleBench.java "$@"
