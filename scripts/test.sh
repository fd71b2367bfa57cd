#!/usr/bin/env bash
# THE test command of the project (CI runs it through .ci/run in a fresh clone):
# installs prerequisites (Debian packages, PixelMed, the console test's and the manifest check's npm packages), builds, starts Kafka, Cassandra and the two Orthanc PACS once, runs every
# module's tests against them (TestServices attaches through the PACSMIG_* variables), stops the
# services and exits with Maven's exit code. Service data and logs: target/test-services/.
# Arguments go to both Maven runs, e.g. scripts/test.sh -pl services/harness -am
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

"$root/scripts/setup.sh"
"$root/scripts/setup-browser.sh"
# the schemas DeployManifestsTest and KubernetesAsShippedTest validate the rendered Kubernetes manifests against (pinned in package-lock.json)
if [ ! -d "$root/deploy/validate/node_modules/kubernetes-models" ]; then
  echo "test: npm ci in deploy/validate/"
  npm ci --prefix "$root/deploy/validate" --no-audit --no-fund --loglevel=error
fi

# package, not install: everything runs from target/, the local Maven repository stays as it was.
# It also writes target/runtime/{kafka,cassandra,harness}.classpath.
mvn -B -DskipTests package "$@"

exec "$root/scripts/with-services.sh" "$root/target/test-services" mvn -B verify "$@"
