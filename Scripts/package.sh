#!/usr/bin/env bash
# Builds the relocatable tarball for Linux x86-64 nodes without a Swift toolchain (grid and cluster workers):
#   Scripts/package.sh [OUT_DIR]    (default out/; prints the tarball's path on stdout, the build's log on stderr)
# OUT_DIR/jettag-VERSION-linux-x86_64.tar.gz unpacks to jettag-VERSION-linux-x86_64/ with
#   bin/jettag   the release build with the Swift runtime, Foundation and libstdc++ linked in (--static-swift-stdlib),
#                its RUNPATH $ORIGIN/../lib; debug info stripped, symbols kept (for Swift's crash backtraces)
#   lib/         every shared library it loads that a node may lack (libhdf5_serial and what it links: libsz/libaec,
#                libcurl and its TLS/HTTP libraries, zlib; OpenBLAS's pthread build, the real file behind Debian's
#                alternatives link, with libgfortran and libquadmath; libdeflate), each named by its SONAME with
#                RUNPATH $ORIGIN, so they find each other and never the node's copies
#   README       how to run it, what it needs, what is bundled; share/doc/PACKAGE/copyright per bundled package
# Scripts/test-package.sh runs the tarball in a minimal Debian 12 root.
#
# What a node must have: x86-64 Linux with glibc 2.34 or later (EL9 has 2.34, Ubuntu 22.04 2.35, Debian 12 2.36) and
# libgcc_s (in every EL9 and Debian install: glibc itself loads it for thread cancellation). glibc (libc, libm,
# libpthread, libdl, librt, libresolv, the loader) is never bundled: it must match the node's loader, and a second
# copy cannot be loaded beside it; Debian 12's libgcc_s asks for glibc 2.35, and the binary needs only GCC_4.3 of it.
# libstdc++ cannot come from the node (the binary asks for GLIBCXX_3.4.30, EL9's GCC 11 copy has 3.4.29) nor from
# Debian 12 as a shared library (it asks for glibc 2.36), so it is linked in statically. The checks at the end fail
# the build when any file in the tarball asks for a glibc symbol version newer than 2.34 or loads a library from
# outside lib/ other than glibc and libgcc_s.
# OpenBLAS stays Debian's DYNAMIC_ARCH build: it picks its kernels when it loads, and jettag's start-up check
# re-executes /proc/self/exe with OPENBLAS_CORETYPE set exactly as from a normal build (`jettag doctor` shows it).
set -euo pipefail
exec 3>&1 1>&2
cd "$(dirname "$0")/.."
out=$(mkdir -p "${1:-out}" && cd "${1:-out}" && pwd)
glibc_floor=2.34
scratch=.build-package   # its own build directory: the normal .build/release/jettag is left as it is

# libstdc++ is linked in too (a directory with only its .a comes first on the library path): Debian 12's asks for
# glibc 2.36 (arc4random, replaced by the wrapper in Scripts/package-glibc-compat.c) and the binary for
# GLIBCXX_3.4.30, which EL9's GCC 11 libstdc++ lacks.
link="$scratch/package-link"
mkdir -p "$link"
ln -sf "$(clang -print-file-name=libstdc++.a)" "$link/libstdc++.a"
clang -c -O2 -fPIC Scripts/package-glibc-compat.c -o "$link/glibc-compat.o"
swift build -c release --product jettag --static-swift-stdlib --scratch-path "$scratch" \
    -Xlinker -rpath -Xlinker '$ORIGIN/../lib' -Xlinker -L"$(pwd)/$link" \
    -Xlinker --wrap=arc4random -Xlinker "$(pwd)/$link/glibc-compat.o"
binary="$scratch/release/jettag"
version=$(env -i "$binary" --version)
name="jettag-$version-linux-x86_64"
stage=$(mktemp -d "$out/.$name.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root="$stage/$name"
mkdir -p "$root/bin" "$root/lib" "$root/share/doc"
objcopy --strip-debug "$binary" "$root/bin/jettag"
# glibc 2.35 gave hypot and hypotf a new default version (a new errno wrapper around the same computation). Without
# a version the reference binds to GLIBC_2.35 where it exists (so the bits of the normal build) and to the
# GLIBC_2.2.5 one on glibc 2.34.
patchelf --clear-symbol-version hypot --clear-symbol-version hypotf "$root/bin/jettag"

# The libraries: ldd's resolution of the whole tree, minus what every node has.
on_node() { [[ $1 =~ ^(linux-vdso|ld-linux-x86-64|libc|libm|libpthread|libdl|librt|libresolv|libutil|libgcc_s)\.so ]]; }
packages=()
while read -r soname path; do
  on_node "$soname" && continue
  [ -f "$path" ] || { echo "package.sh: ldd cannot resolve $soname for $binary" >&2; exit 1; }
  cp -L "$path" "$root/lib/$soname"
  chmod 644 "$root/lib/$soname"
  patchelf --set-rpath '$ORIGIN' "$root/lib/$soname"
  real=$(readlink -f "$path")   # dpkg may know it under /usr/lib or, from before the /usr merge, under /lib
  package=$( (dpkg -S "$real" 2>/dev/null || dpkg -S "${real#/usr}") | head -1 | cut -d: -f1)
  packages+=("$package")
  printf '  lib/%-28s %s %s\n' "$soname" "$package" "$(dpkg-query -W -f='${Version}' "$package")" >>"$stage/libs.txt"
done < <(ldd "$binary" | awk '$2 == "=>" { print $1, $3 } $2 != "=>" && $1 !~ /^\// { print $1, "" }')
for package in $(printf '%s\n' "${packages[@]}" | sort -u); do
  mkdir -p "$root/share/doc/$package"
  cp "/usr/share/doc/$package/copyright" "$root/share/doc/$package/copyright"
done
mkdir -p "$root/share/jettag"
cp Configs/quickstart.yaml "$root/share/jettag/"

cat >"$root/README" <<EOF
JetTag $version for Linux x86-64 ($(git rev-parse --short HEAD 2>/dev/null || echo "unknown commit"))

Runs on any x86-64 Linux with glibc $glibc_floor or later (EL9, Debian 12, Ubuntu 22.04 and newer); no Swift
toolchain, HDF5 or OpenBLAS installation needed. Unpack anywhere and run bin/jettag, e.g.
  tar xzf $name.tar.gz && $name/bin/jettag doctor
  $name/bin/jettag predict --model RUN/model.h5 jets.h5 --out scores.h5
bin/jettag finds its libraries in lib/ (RUNPATH \$ORIGIN/../lib); the directory can be moved or copied as a whole.
share/jettag/quickstart.yaml is the repository's quick-start config. OpenBLAS picks its kernels for the CPU when
it loads and jettag re-runs itself with OPENBLAS_CORETYPE when they are weaker than the CPU's (jettag doctor).

Licences: JetTag and the Swift runtime and Foundation linked into bin/jettag are under the Apache License 2.0
(with the Runtime Library Exception for Swift). The libraries in lib/ are Debian 12's builds, unchanged except
for their RUNPATH; each package's copyright and licence are in share/doc/PACKAGE/copyright:
$(cat "$stage/libs.txt")
EOF

# The checks: nothing outside lib/ and glibc, no glibc symbol newer than the floor, the runtime linked in.
libdir=$(cd "$root/lib" && pwd)
strays=$(env -i ldd "$root/bin/jettag" | awk '$2 == "=>" { print $1, $3 }' | while read -r soname path; do
  on_node "$soname" || [ "$(realpath "$path" 2>/dev/null)" = "$libdir/$soname" ] || echo "$soname => $path"; done)
[ -z "$strays" ] || { echo "package.sh: libraries resolve outside $name/lib: $strays" >&2; exit 1; }
if ldd "$root/bin/jettag" | grep -q 'libswift\|libFoundation'; then
  echo "package.sh: bin/jettag still loads the Swift runtime or Foundation dynamically" >&2; exit 1
fi
newest=$(for f in "$root/bin/jettag" "$root"/lib/*; do objdump -T "$f" | grep -o 'GLIBC_2\.[0-9]*'; done |
  sed 's/GLIBC_//' | sort -uV | tail -1)
if [ "$(printf '%s\n' "$newest" "$glibc_floor" | sort -V | tail -1)" != "$glibc_floor" ]; then
  echo "package.sh: the tarball asks for glibc $newest, newer than the floor $glibc_floor" >&2; exit 1
fi

tarball="$out/$name.tar.gz"
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner \
  --mtime="@$(git log -1 --format=%ct 2>/dev/null || echo 0)" -cf - "$name" | gzip -n >"$tarball.tmp"
mv "$tarball.tmp" "$tarball"
echo "bundled (newest glibc symbol version asked for: $newest):"
cat "$stage/libs.txt"
echo "$(du -h "$tarball" | cut -f1) $tarball"
echo "$tarball" >&3
