#!/usr/bin/env bash
# Installs what the build and the embedded services need on a fresh Debian machine:
# Orthanc with its DICOMweb plugin and DCMTK (test peers and baselines), promtool (metrics lint), PixelMed (pinned Debian
# version, put into the local Maven repository because it is not on Maven Central). Idempotent; safe to run every time.
set -euo pipefail

need_apt=()
command -v Orthanc >/dev/null || need_apt+=(orthanc)
[ -e /usr/share/orthanc/plugins/libOrthancDicomWeb.so ] || need_apt+=(orthanc-dicomweb)
command -v movescu >/dev/null || need_apt+=(dcmtk)
command -v mvn >/dev/null || need_apt+=(maven)
# promtool (Debian package prometheus): the tests lint the metrics output with `promtool check metrics`
command -v promtool >/dev/null || need_apt+=(prometheus)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

"$(dirname "$0")/install-pixelmed.sh"
echo "setup: ok"
