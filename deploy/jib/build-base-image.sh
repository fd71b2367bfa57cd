#!/usr/bin/env bash
# Builds a base image for the role images WITHOUT a container registry or a Docker engine: a Docker
# image tarball (`docker save` format) that Jib takes as `tar://<file>` (deploy/README.md "Build the
# images"). For machines that cannot pull eclipse-temurin:17-jre, the default base.
#   deploy/jib/build-base-image.sh target/pacsmig-base.tar
#   mvn -Pimages -DskipTests package -Dimage.base=tar://$PWD/target/pacsmig-base.tar
#
# What is in it, and why (nothing else):
# - /opt/java: a Java 17 runtime cut by jlink from this machine's JDK (Debian's openjdk-17-jdk-headless
#   has the jmods): all of Java SE, plus jdk.charsets (the DICOM character sets ISO 2022 IR 87, GB18030
#   and others live there, not in java.base), jdk.crypto.ec (TLS to S3), jdk.unsupported, jdk.management,
#   jdk.naming.dns, jdk.zipfs, jdk.jfr, jdk.security.auth/jgss (Kafka SASL).
# - the shared libraries that headless runtime needs (glibc, zlib, and for java.desktop's image and
#   font code libjpeg, lcms2, freetype, harfbuzz) and those the JNI libraries in the roles'
#   jars need (libstdc++ and libgcc_s for RocksDB, the verifier's Kafka Streams store), copied from this
#   machine's Debian packages with each package's copyright file;
# - /bin/sleep (coreutils): the retriever's and verifier's preStop hook runs `sleep 10`;
# - glibc's C.utf8 locale (libc-bin), for LANG=C.UTF-8: Java's default charset and file names;
# - /etc/passwd and /etc/group naming root and pacsmig (10001), /tmp (1777), /var/lib/pacsmig owned
#   by 10001 (the roles' working directory), /etc/pacsmig.
# No shell and no package manager: the image runs one JVM. Needs bash, GNU tar, a JDK 17 with jmods,
# ldd, ldconfig, dpkg, sha256sum; runs as any user (ownership is set in the tarball, not on disk).
set -euo pipefail

out="${1:?usage: build-base-image.sh OUTPUT.tar}"
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
tag="${BASE_TAG:-pacsmig/base:17-local}"
modules="java.se,jdk.charsets,jdk.crypto.ec,jdk.unsupported,jdk.management,jdk.naming.dns,jdk.zipfs,jdk.jfr,jdk.security.auth,jdk.security.jgss"
if [ ! -d "$java_home/jmods" ]; then
  echo "build-base-image: $java_home has no jmods (JAVA_HOME must be a full JDK, e.g. Debian's openjdk-17-jdk-headless)" >&2
  exit 2
fi
release="$("$java_home/bin/jlink" --version)"
if [ "${release%%.*}" != 17 ]; then
  echo "build-base-image: $java_home is Java $release; the roles are built and tested on Java 17 (set JAVA_HOME)" >&2
  exit 2
fi
case "$(dpkg --print-architecture)" in
  amd64) arch=amd64 ;;
  arm64) arch=arm64 ;;
  *) echo "build-base-image: unsupported architecture $(dpkg --print-architecture)" >&2; exit 2 ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"/{opt,bin,etc/pacsmig,tmp,var/lib/pacsmig,usr/share/doc}

# --compress=0: the layer is compressed as a whole by Jib and the registry; compressing the modules
# inside it again only costs start-up time.
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=0 --output "$root/opt/java"
# Headless, like Debian's openjdk-17-jre-headless: without the X11, sound and splash-screen libraries
# (and the X11 and ALSA libraries they would pull in).
rm -f "$root"/opt/java/lib/{libawt_xawt,libjawt,libsplashscreen,libjsound}.so
cp "$(command -v sleep)" "$root/bin/sleep"
# LANG=C.UTF-8 needs glibc's C.utf8 locale files, or Java falls back to ASCII for its default charset
# and file names (logs, reports).
mkdir -p "$root/usr/lib/locale"
cp -R /usr/lib/locale/C.utf8 "$root/usr/lib/locale/"

# The dynamic libraries of every ELF file above, and of RocksDB's JNI library (unpacked at run time
# from its jar, so not in the tree): libstdc++ and libgcc_s.
ldconfig="$(command -v ldconfig || echo /sbin/ldconfig)"
libstdcxx="$("$ldconfig" -p | awk '/libstdc\+\+\.so\.6 .*x86-64|libstdc\+\+\.so\.6 .*AArch64/ {print $NF; exit}')"
libgcc="$("$ldconfig" -p | awk '/libgcc_s\.so\.1 .*x86-64|libgcc_s\.so\.1 .*AArch64/ {print $NF; exit}')"
libraries() {
  find "$root/opt/java" "$root/bin" -type f \( -name '*.so' -o -perm -u+x \) -print0 \
    | xargs -0 ldd 2>/dev/null \
    | awk '/=> \// {print $3} /^\t\/[^ ]+ \(/ {print $1}' | grep -v "^$root/"
  for lib in "$libstdcxx" "$libgcc"; do echo "$lib"; ldd "$lib" | awk '/=> \// {print $3} /^\t\/[^ ]+ \(/ {print $1}'; done
}
# The Debian package of a file, under any of its names (with merged /usr, dpkg knows /lib/x/y and
# /bin/y, while ldd and PATH may say /usr/lib/x/y or /usr/bin/y).
package_of() {
  local path real found
  real="$(readlink -f "$1")"
  for path in "$1" "$real" "${1#/usr}" "${real#/usr}"; do
    if found="$(dpkg -S "$path" 2>/dev/null)"; then echo "${found%%:*}"; return; fi
  done
  echo "build-base-image: $1 belongs to no Debian package" >&2
  return 1
}
declare -A packages=()
while read -r lib; do
  [ -n "$lib" ] || continue
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
  package="$(package_of "$lib")" || exit 1
  packages["$package"]=1
done < <(libraries | sort -u)
package="$(package_of "$(command -v sleep)")" || exit 1
packages["$package"]=1
package="$(package_of /usr/lib/locale/C.utf8)" || exit 1
packages["$package"]=1
for package in "${!packages[@]}"; do
  mkdir -p "$root/usr/share/doc/$package"
  cp "/usr/share/doc/$package/copyright" "$root/usr/share/doc/$package/copyright"
done

printf 'root:x:0:0:root:/root:/usr/sbin/nologin\npacsmig:x:10001:10001:pacsmig:/var/lib/pacsmig:/usr/sbin/nologin\n' \
  >"$root/etc/passwd"
printf 'root:x:0:\npacsmig:x:10001:\n' >"$root/etc/group"

# One layer, reproducible (sorted, fixed times, numeric owners), built without root: everything
# belongs to root except the working directory, appended with its own owner.
layer="$work/layer.tar"
chmod 1777 "$root/tmp"
tar_options=(--sort=name --mtime=@0 --numeric-owner --format=posix --pax-option=delete=atime,delete=ctime)
tar -C "$root" "${tar_options[@]}" --owner=0 --group=0 --exclude=./var/lib/pacsmig -cf "$layer" .
tar -C "$root" "${tar_options[@]}" --owner=10001 --group=10001 --no-recursion -rf "$layer" ./var/lib/pacsmig
diff_id="sha256:$(sha256sum "$layer" | cut -d' ' -f1)"

image="$work/image"
mkdir -p "$image"
mv "$layer" "$image/layer.tar"
cat >"$image/config.json" <<EOF
{"architecture":"$arch","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/opt/java/bin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8"],"User":"10001:10001","WorkingDir":"/var/lib/pacsmig"},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"deploy/jib/build-base-image.sh: jlink ($modules) and Debian libraries"}]}
EOF
printf '[{"Config":"config.json","RepoTags":["%s"],"Layers":["layer.tar"]}]\n' "$tag" >"$image/manifest.json"
mkdir -p "$(dirname "$out")"
tar -C "$image" "${tar_options[@]}" --owner=0 --group=0 -cf "$out" manifest.json config.json layer.tar
echo "build-base-image: $out ($tag, $(du -h "$out" | cut -f1), Java $("$root/opt/java/bin/java" -version 2>&1 | head -1 | cut -d'"' -f2))"
