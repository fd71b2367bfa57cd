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
# What the migration writes holds patient data: readable by this user only, also what libraries
# create on their own (RocksDB files of the verifier's Kafka Streams store, the JVM's temporary files).
umask 077
# Shallower C2 inlining: in a run of minutes C2 compilation was the JVM's largest cost (44 of 58
# CPU-s for 3,000 images: Kafka, Cassandra driver, Netty, Jetty, Jackson and PixelMed all get hot);
# these limits cut it to 25 s and the JVM's CPU by ~20 %, while the hot paths (SHA-256, copies,
# socket and file I/O) are intrinsics or system calls that do not need deep inlining.
# PACSMIG_JIT_OPTS="" restores the JVM's defaults.
jit_opts="${PACSMIG_JIT_OPTS--XX:MaxInlineLevel=4 -XX:InlineSmallCode=500 -XX:MaxInlineSize=20}"
# PACSMIG_JAVA_OPTS: extra JVM options (e.g. -XX:StartFlightRecording=... to profile a run).
# Out of memory, exit at once (a thread dead of an OutOfMemoryError would leave a stage silently stuck);
# the next run resumes from the state store.
exec java -Xmx1g -XX:+ExitOnOutOfMemoryError $jit_opts ${PACSMIG_JAVA_OPTS:-} -cp "$jar:$(cat "$cp_file")" org.pacsmigrator.migrator.MigratorCli "$@"
