#!/usr/bin/env bash
# Installs what the build and the embedded services need on a fresh Debian machine:
# Orthanc and DCMTK (test peers and baselines), PixelMed (pinned Debian version, put into the
# local Maven repository because it is not on Maven Central). Idempotent; safe to run every time.
set -euo pipefail

PIXELMED_DEB_VERSION="20220618+dfsg-1"
PIXELMED_JAR="/usr/share/java/pixelmed-20220618.jar"
PIXELMED_SHA256="85ce8bcb92952fd76fbc064927dbb76d8aa5a5dfc2b2dce7db2d6b00e464d6f7"
PIXELMED_MAVEN_VERSION="20220618-debian"

need_apt=()
command -v Orthanc >/dev/null || need_apt+=(orthanc)
command -v movescu >/dev/null || need_apt+=(dcmtk)
[ -f "$PIXELMED_JAR" ] || need_apt+=("libpixelmed-java=$PIXELMED_DEB_VERSION")
command -v mvn >/dev/null || need_apt+=(maven)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

installed="$(dpkg-query -W -f='${Version}' libpixelmed-java)"
if [ "$installed" != "$PIXELMED_DEB_VERSION" ]; then
  echo "setup: libpixelmed-java is $installed, the build is pinned to $PIXELMED_DEB_VERSION" >&2
  exit 1
fi
actual="$(sha256sum "$PIXELMED_JAR" | cut -d' ' -f1)"
if [ "$actual" != "$PIXELMED_SHA256" ]; then
  echo "setup: $PIXELMED_JAR has SHA-256 $actual, expected $PIXELMED_SHA256" >&2
  exit 1
fi

repo="${MAVEN_REPO:-$HOME/.m2/repository}"
target="$repo/com/pixelmed/pixelmed/$PIXELMED_MAVEN_VERSION/pixelmed-$PIXELMED_MAVEN_VERSION.jar"
marker="$target.source-sha256"
if [ ! -f "$target" ] || [ "$(cat "$marker" 2>/dev/null)" != "$PIXELMED_SHA256" ]; then
  echo "setup: installing PixelMed into the local Maven repository"
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
echo "setup: ok"
