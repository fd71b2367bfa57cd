#!/usr/bin/env bash
# Retrieve benchmark (not part of the tests): the migrator's retriever (C-GET and C-MOVE into the
# filesystem cache, state in Cassandra) vs DCMTK getscu/movescu of the same studies into a folder,
# plus the worker's peak heap while retrieving one large study.
#
#   bench/retrieve.sh [studies seriesPerStudy instancesPerSeries largeStudyInstances] [-Xmx...]
#   e.g. bench/retrieve.sh 10 2 20 2000
#
# Needs Kafka/Cassandra addresses in PACSMIG_* (source a services.env, e.g. from
# harness ServicesMain); without them the harness starts its own services for the run.
# The JVM runs with -Xmx256m by default so that a regression to "whole study in memory" shows.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
heap="${BENCH_HEAP:--Xmx256m}"
cp_file="$root/target/bench-retrieve.classpath"
mkdir -p "$root/target"
# One reactor run: every module writes the file, retriever-worker (built last) wins; reactor
# modules appear as their target/classes folders.
mvn -B -q -o -DskipTests -pl retriever-worker -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
export TCP_NODELAY=1 PACSMIG_HOME="$root"
classpath="$root/retriever-worker/target/test-classes:$root/retriever-worker/target/classes:$(cat "$cp_file")"
exec java "$heap" -cp "$classpath" org.pacsmigrator.retrieve.RetrieveBenchmark "$@"
