#!/usr/bin/env bash
# Build stage: puts each role's runtime classpath into <root>/<role> (root: $1, default /app): its
# module's jar into classpath/, its runtime dependencies into libs/ (the layout Jib gives the images
# built without Docker, deploy/README.md), and checks that the role's main class and
# logback-classic (Dropwizard logs through it) are on it, and that the console's holds no worker,
# so that a broken classpath fails the build rather than the pod. Needs the reactor installed into
# the stage's own ~/.m2 first (mvn install), so that one module alone resolves its sibling modules
# (common, ...).
# Runs from the repository root. Role, module and main class as in /tmp/ops/contract.md and the
# Dockerfile's ENTRYPOINTs.
set -euo pipefail
root="${1:-/app}"
status=0
for spec in indexer:indexer:org.pacsmigrator.index.service.IndexerApplication \
            retriever:retriever-worker:org.pacsmigrator.retrieve.service.RetrieverApplication \
            forwarder:forwarder-worker:org.pacsmigrator.forward.service.ForwarderApplication \
            verifier:verifier-worker:org.pacsmigrator.verify.service.VerifierApplication \
            console:console:org.pacsmigrator.console.ConsoleApplication; do
  IFS=: read -r role module main <<<"$spec"
  lib="$root/$role/libs"
  classpath="$root/$role/classpath"
  mkdir -p "$lib" "$classpath"
  mvn -B -q -pl "$module" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$lib"
  find "$module/target" -maxdepth 1 -name "$module-*.jar" ! -name '*-tests.jar' ! -name '*-sources.jar' \
    -exec cp {} "$classpath/" \;
  class_file="${main//.//}.class"
  found=""
  for jar in "$classpath"/*.jar "$lib"/*.jar; do
    if jar tf "$jar" | grep -x "$class_file" >/dev/null; then found="$jar"; break; fi
  done
  if [ -z "$found" ]; then
    echo "copy-libs: $role: main class $main is in no jar of $root/$role" >&2
    status=1
  fi
  if ! compgen -G "$lib/logback-classic-*.jar" >/dev/null; then
    echo "copy-libs: $role: logback-classic is not a runtime dependency of $module (Dropwizard needs it)" >&2
    status=1
  fi
  if [ "$role" = console ]; then
    # the console runs no stage: none of the workers' modules, the launcher, the test harness or the synthetic data
    for module_jar in indexer retriever-worker forwarder-worker verifier-worker migrator harness synthetic; do
      if compgen -G "$lib/$module_jar-[0-9]*.jar" >/dev/null; then
        echo "copy-libs: console: $module_jar is on its classpath (the console depends on no worker)" >&2
        status=1
      fi
    done
  fi
  echo "copy-libs: $role ($module): $(find "$root/$role" -name '*.jar' | wc -l) jars"
done
exit "$status"
