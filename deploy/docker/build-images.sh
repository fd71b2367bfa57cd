#!/usr/bin/env bash
# Builds the five role images pacsmig/<role>:<version> from deploy/docker/Dockerfile (one target
# per role; the build stage is shared and built once).
#   deploy/docker/build-images.sh                       # version from pom.xml
#   VERSION=1.0.0 REGISTRY=registry.example.org/ PUSH=1 deploy/docker/build-images.sh
# Needs Docker with BuildKit (Docker 23+) and network access to Debian, Maven Central and Docker Hub.
# Then set the same names and tag in deploy/kubernetes/kustomization.yaml (images:).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
version="${VERSION:-$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' "$root/pom.xml" | head -1)}"
registry="${REGISTRY:-}"
if [ -z "$version" ]; then
  echo "build-images: cannot read the version from $root/pom.xml; set VERSION" >&2
  exit 2
fi
export DOCKER_BUILDKIT=1
for role in indexer retriever forwarder verifier console; do
  image="${registry}pacsmig/$role:$version"
  echo "build-images: $image"
  docker build -f "$root/deploy/docker/Dockerfile" --target "$role" -t "$image" "$root"
  if [ "${PUSH:-0}" = 1 ]; then
    docker push "$image"
  fi
done
