#!/usr/bin/env bash
# PixelMed for the build: the pinned Debian package libpixelmed-java, its jar checked by SHA-256 and
# installed into the local Maven repository (PixelMed is not on Maven Central). Used by
# scripts/setup.sh and by the container image build (deploy/docker/Dockerfile). Idempotent.
set -euo pipefail

PIXELMED_DEB_VERSION="20220618+dfsg-1"
PIXELMED_JAR="/usr/share/java/pixelmed-20220618.jar"
PIXELMED_SHA256="85ce8bcb92952fd76fbc064927dbb76d8aa5a5dfc2b2dce7db2d6b00e464d6f7"
PIXELMED_MAVEN_VERSION="20220618-debian"

if [ ! -f "$PIXELMED_JAR" ]; then
  echo "install-pixelmed: installing libpixelmed-java=$PIXELMED_DEB_VERSION"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "libpixelmed-java=$PIXELMED_DEB_VERSION" >/dev/null
fi

installed="$(dpkg-query -W -f='${Version}' libpixelmed-java)"
if [ "$installed" != "$PIXELMED_DEB_VERSION" ]; then
  echo "install-pixelmed: libpixelmed-java is $installed, the build is pinned to $PIXELMED_DEB_VERSION" >&2
  exit 1
fi
actual="$(sha256sum "$PIXELMED_JAR" | cut -d' ' -f1)"
if [ "$actual" != "$PIXELMED_SHA256" ]; then
  echo "install-pixelmed: $PIXELMED_JAR has SHA-256 $actual, expected $PIXELMED_SHA256" >&2
  exit 1
fi

repo="${MAVEN_REPO:-$HOME/.m2/repository}"
target="$repo/com/pixelmed/pixelmed/$PIXELMED_MAVEN_VERSION/pixelmed-$PIXELMED_MAVEN_VERSION.jar"
marker="$target.source-sha256"
if [ ! -f "$target" ] || [ "$(cat "$marker" 2>/dev/null)" != "$PIXELMED_SHA256" ]; then
  echo "install-pixelmed: installing PixelMed into the local Maven repository"
  # The Debian jar's manifest Class-Path names other Debian jars by absolute path (slf4j 1.7 and
  # its JUL binding among them), which would silently hijack the project's logging. Install a copy
  # without that attribute; the network and data classes need no other jar.
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
  echo "$PIXELMED_SHA256" > "$marker"
  rm -rf "$(dirname "$stripped")"
fi
