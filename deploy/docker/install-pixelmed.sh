#!/usr/bin/env bash
# PixelMed for the image's build stage: the same steps as scripts/setup.sh, minus Orthanc and DCMTK
# (test peers only; no role uses them at run time). The pins (Debian version, SHA-256 of the jar,
# Maven version) are read from scripts/setup.sh, so they live in one place.
# Runs as root in a Debian 12 (bookworm) build stage, from the repository root.
set -euo pipefail

eval "$(grep -E '^PIXELMED_[A-Z0-9_]+="[^"]*"$' scripts/setup.sh)"
: "${PIXELMED_DEB_VERSION:?not found in scripts/setup.sh}" "${PIXELMED_JAR:?}" "${PIXELMED_SHA256:?}" "${PIXELMED_MAVEN_VERSION:?}"

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "libpixelmed-java=$PIXELMED_DEB_VERSION" >/dev/null
rm -rf /var/lib/apt/lists/*

actual="$(sha256sum "$PIXELMED_JAR" | cut -d' ' -f1)"
if [ "$actual" != "$PIXELMED_SHA256" ]; then
  echo "install-pixelmed: $PIXELMED_JAR has SHA-256 $actual, expected $PIXELMED_SHA256" >&2
  exit 1
fi

# As in scripts/setup.sh: drop the manifest's Class-Path (absolute paths to other Debian jars,
# slf4j 1.7 among them) and install the jar into the local Maven repository.
stripped="$(mktemp -d)/pixelmed.jar"
python3 - "$PIXELMED_JAR" "$stripped" <<'PY'
import re, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        data = zin.read(item.filename)
        if item.filename == "META-INF/MANIFEST.MF":
            text = data.decode("utf-8").replace("\r\n", "\n")
            text = re.sub(r"^Class-Path:.*\n( .*\n)*", "", text, flags=re.M)
            data = text.replace("\n", "\r\n").encode("utf-8")
        zout.writestr(item, data)
PY
(cd /tmp && mvn -q -B install:install-file -Dfile="$stripped" -DgroupId=com.pixelmed -DartifactId=pixelmed \
    -Dversion="$PIXELMED_MAVEN_VERSION" -Dpackaging=jar -DgeneratePom=true)
rm -rf "$(dirname "$stripped")"
echo "install-pixelmed: com.pixelmed:pixelmed:$PIXELMED_MAVEN_VERSION from libpixelmed-java $PIXELMED_DEB_VERSION"
