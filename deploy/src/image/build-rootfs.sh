#!/usr/bin/env bash
# Builds the container image's base layer without pulling anything from a container registry: a root filesystem
# holding everything Jetway's jars need to run, which Jib then puts on `scratch` (see deploy/pom.xml).
#
#   build-rootfs.sh JDK OUT MODULES ROOTFS
#     JDK      the JDK 25 whose jlink builds the runtime ($JETWAY_TOOLCHAIN_JAVA_HOME wins: the Maven toolchain's JDK
#              when Maven itself runs on an older one)
#     OUT      the directory to (re)create
#     MODULES  comma-separated Java modules for jlink
#     ROOTFS   fixed files copied as they are (etc/passwd, etc/group, etc/nsswitch.conf)
#
# OUT then holds:
#   /opt/jetway/jre                  a jlink'd Java runtime with MODULES only
#   /lib64/ld-linux-x86-64.so.2      the dynamic loader named in every ELF file of the runtime
#   /lib/x86_64-linux-gnu/*.so*      the glibc libraries the runtime and the natives bundled in Jetway's jars load
#                                    (Netty epoll, JNA, the Hugging Face tokenizer: libstdc++, libgcc_s)
#   /etc, /tmp, /home/jetway         the user jetway (65532), name lookups (files, then DNS), a scratch directory
# The libraries are the build machine's own (the same ones its JDK runs on), so the image is as new as that
# machine's glibc. Linux x86-64 only.
set -euo pipefail

jdk=${JETWAY_TOOLCHAIN_JAVA_HOME:-$1} out=$2 modules=$3 rootfs=$4
fail() { echo "build-rootfs: $*" >&2; exit 1; }

[ -x "$jdk/bin/jlink" ] || fail "no $jdk/bin/jlink: building the image needs a full JDK 25"
command -v ldd >/dev/null || fail "ldd is missing (glibc's ldd; Debian package libc-bin)"

rm -rf "$out"
mkdir -p "$out/opt/jetway" "$out/tmp" "$out/home/jetway"
cp -R "$rootfs/." "$out/"

"$jdk/bin/jlink" --add-modules "$modules" --output "$out/opt/jetway/jre" \
  --strip-debug --no-man-pages --no-header-files --compress=zip-0
# Desktop natives that would need X11 or ALSA: a headless server never loads them.
rm -f "$out/opt/jetway/jre/lib/"{libawt_xawt,libjawt,libjsound,libsplashscreen}.so

# Libraries loaded by natives that live inside jars (extracted at run time, so ldd cannot see them here).
extra=(libstdc++.so.6 libgcc_s.so.1)

# What every ELF file of the runtime links to, the runtime's own libraries (libjvm.so) found where the launcher puts
# them; those are in the runtime already, everything else comes from the machine.
jre=$out/opt/jetway/jre
deps=$(find "$jre" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | LD_LIBRARY_PATH="$jre/lib:$jre/lib/server" xargs -0 ldd 2>/dev/null || true)
missing=$(awk '/not found/' <<<"$deps" | sort -u)
libs=$(awk -v jre="$jre/" '/=> \// && index($3, jre) != 1 {print $3} /^\t\/.*ld-linux/ {print $1}' <<<"$deps" | sort -u)
[ -z "$missing" ] || fail "libraries the runtime needs are missing on this machine: $missing"
for name in "${extra[@]}"; do
  # (awk reads to the end: leaving early would kill ldconfig with SIGPIPE, which pipefail turns into a failure)
  path=$(ldconfig -p | awk -v n="$name" '$1 == n && /x86-64/ && !found {print $NF; found = 1}')
  [ -n "$path" ] || fail "$name is not installed on this machine"
  libs+=$'\n'"$path"
done

for lib in $libs; do
  dir=$(dirname "$lib")
  mkdir -p "$out$dir"
  cp -L "$lib" "$out$dir/"
done
[ -f "$out/lib64/ld-linux-x86-64.so.2" ] || fail "the dynamic loader /lib64/ld-linux-x86-64.so.2 was not found"

echo "build-rootfs: $(du -sh "$out" | cut -f1) in $out (modules: $modules)"
