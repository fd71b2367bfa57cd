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
# C2 compiles a method only after 3x the default calls: the per-image work is in intrinsics and
# stubs (SHA-256, copies, socket and file I/O), and compiling every warm framework method cost more
# CPU than it saved (measured: -15 to -20 % CPU of the migrator JVM over a 3,000-image migration).
jit="-XX:Tier4InvocationThreshold=15000 -XX:Tier4MinInvocationThreshold=1800 -XX:Tier4CompileThreshold=45000 -XX:Tier4BackEdgeThreshold=120000"
# PACSMIG_JAVA_OPTS: extra JVM options, after ours so they win (e.g. -XX:StartFlightRecording=... to profile a run).
# shellcheck disable=SC2086
exec java -Xmx1g $jit ${PACSMIG_JAVA_OPTS:-} -cp "$jar:$(cat "$cp_file")" org.pacsmigrator.migrator.MigratorCli "$@"
