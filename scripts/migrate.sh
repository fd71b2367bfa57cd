#!/usr/bin/env bash
# Runs the migrator's command line (run, demo, generate) from a built tree.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cp_file="$root/target/runtime/migrator.classpath"
jar="$root/migrator/target/migrator-0.1.0-SNAPSHOT.jar"
if [ ! -f "$cp_file" ] || [ ! -f "$jar" ]; then
  echo "migrate: build first: scripts/setup.sh && mvn -B -q -DskipTests package" >&2
  exit 2
fi
export PACSMIG_HOME="$root"
export TCP_NODELAY=1
# PACSMIG_JAVA_OPTS: extra JVM options (e.g. -XX:StartFlightRecording=... to profile a run).
exec java -Xmx1g ${PACSMIG_JAVA_OPTS:-} -cp "$jar:$(cat "$cp_file")" org.pacsmigrator.migrator.MigratorCli "$@"
