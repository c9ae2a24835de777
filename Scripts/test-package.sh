#!/usr/bin/env bash
# Runs the relocatable tarball of Scripts/package.sh where there is no Swift toolchain, no HDF5, no OpenBLAS and no
# -dev package: a minimal Debian 12 root (debootstrap --variant=minbase), entered with chroot and an empty
# environment, and checks every output against the normal build (.build/release/jettag) run outside on the same files.
#   Scripts/test-package.sh [TARBALL]     (default: Scripts/package.sh builds one into out/)
# Needs root (debootstrap, mount, chroot), debootstrap and h5dump (hdf5-tools). The root is made once and cached in
# JETTAG_PACKAGE_ROOT (default ~/.cache/jettag/debian12-minbase, about 200 MB) from DEBIAN_MIRROR (default
# deb.debian.org); the test writes only under its /jettag-test.
# In the root it runs: inspect on the sample; predict with a model trained outside by the normal build with a tiny
# config (the scores must equal the normal build's bit for bit: h5dump prints every float with 9 digits); evaluate
# (metrics.json and roc.csv byte for byte); doctor with OPENBLAS_CORETYPE unset and set to Prescott (the generic
# SSE3 core, which the start-up check must replace by re-executing with the best core): the same kernels as outside.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
root=${JETTAG_PACKAGE_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/jettag/debian12-minbase}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
normal="$repo/.build/release/jettag"
fail() { echo "test-package.sh: FAIL: $*" >&2; exit 1; }
step() { echo "== $* (${SECONDS}s)"; }

if [ $# -ge 1 ]; then tarball=$(realpath "$1"); else step "package"; tarball=$(Scripts/package.sh out); fi
[ -x "$normal" ] || swift build -c release --product jettag
if [ ! -x "$root/bin/sh" ]; then
  step "debootstrap --variant=minbase bookworm $root"
  rm -rf "$root" "$root.partial" && mkdir -p "$(dirname "$root")"
  debootstrap --variant=minbase bookworm "$root.partial" "$mirror" >"$(dirname "$root")/debootstrap.log" 2>&1 ||
    { tail -20 "$(dirname "$root")/debootstrap.log"; fail "debootstrap (log: $(dirname "$root")/debootstrap.log)"; }
  mv "$root.partial" "$root"
fi

step "the root has no Swift, no -dev package and none of the bundled libraries"
[ ! -e "$root/opt/swift" ] || fail "$root has /opt/swift"
[ -z "$(find "$root/usr" -name 'libswift*' -print -quit)" ] || fail "$root has a Swift runtime library"
dev=$(chroot "$root" dpkg-query -W -f='${Package}\n' | grep -- '-dev$' || true)
[ -z "$dev" ] || fail "$root has -dev packages: $dev"
for lib in libhdf5 libopenblas libdeflate libsz libaec libgfortran libcurl; do
  [ -z "$(find "$root/usr/lib" -name "$lib*" -print -quit)" ] || fail "$root has $lib: the test would not show it is bundled"
done

name=$(basename "$tarball" .tar.gz)
work="$root/jettag-test"
rm -rf "$work" && mkdir -p "$work/in" "$work/out"
tar -C "$work" -xzf "$tarball"
cp Datasets/top_qcd_sample.h5 "$work/"
mountpoint -q "$root/proc" || { mount -t proc proc "$root/proc"; trap 'umount "$root/proc"' EXIT; }
# The same empty environment on both sides (so OPENBLAS_CORETYPE is unset and OpenBLAS and jettag choose the kernels),
# the same working directory and relative paths, so the outputs can be compared byte for byte.
# `inside [VAR=VALUE...] -- ARGS...` sets variables; env -i needs chroot's full path, it looks it up in the new PATH.
chroot=$(command -v chroot)
split() { vars=(); while [ "$1" != -- ]; do vars+=("$1"); shift; done; }
inside() { split "$@"; shift $((${#vars[@]} + 1))
  env -i PATH=/usr/bin:/bin HOME=/root "${vars[@]}" timeout 600 "$chroot" "$root" /usr/bin/env -C /jettag-test \
    "/jettag-test/$name/bin/jettag" "$@"; }
outside() { split "$@"; shift $((${#vars[@]} + 1))
  (cd "$work" && env -i PATH=/usr/bin:/bin HOME="$HOME" "${vars[@]}" timeout 600 "$normal" "$@"); }

step "train a tiny model outside with the normal build"
outside -- train --config "$repo/Configs/quickstart.yaml" --out train --no-report --set 'data.files=[top_qcd_sample.h5]' \
  --set training.epochs=2 --set 'model.deepsets.constituentLayers=[16,16]' --set 'model.deepsets.headLayers=[16]' \
  >"$work/train.log" || { cat "$work/train.log"; fail "training outside"; }
cp "$work/train/model.h5" "$work/model.h5"

step "inspect"
inside -- inspect top_qcd_sample.h5 >"$work/in/inspect.txt" || fail "inspect in the root"
outside -- inspect top_qcd_sample.h5 >"$work/out/inspect.txt"
diff "$work/out/inspect.txt" "$work/in/inspect.txt" || fail "inspect prints something else in the root"

step "predict"
inside -- predict --model model.h5 top_qcd_sample.h5 --out in/scores.h5 || fail "predict in the root"
outside -- predict --model model.h5 top_qcd_sample.h5 --out out/scores.h5
for side in in out; do h5dump -d /jets -m %.9g "$work/$side/scores.h5" | tail -n +2 >"$work/$side/scores.txt"; done
grep -q 'DATASPACE  SIMPLE { ( 7400 ) /' "$work/in/scores.txt" || fail "the root's scores.h5 has not 7400 jets"
diff -q "$work/out/scores.txt" "$work/in/scores.txt" >/dev/null || fail "the root's scores differ from the normal build's"

step "evaluate"
inside -- evaluate --model model.h5 top_qcd_sample.h5 --split validation --out in/eval --no-report >/dev/null ||
  fail "evaluate in the root"
outside -- evaluate --model model.h5 top_qcd_sample.h5 --split validation --out out/eval --no-report >/dev/null
for f in metrics.json roc.csv; do cmp "$work/out/eval/$f" "$work/in/eval/$f" || fail "the root's $f differs"; done

step "doctor, and the start-up re-execution: OPENBLAS_CORETYPE=Prescott (generic SSE3) must be replaced by the best core"
for coretype in "" Prescott; do
  set -- ${coretype:+OPENBLAS_CORETYPE=$coretype}
  inside "$@" -- doctor --json --seconds 0.2 >"$work/in/doctor.json" || fail "doctor in the root"
  outside "$@" -- doctor --json --seconds 0.2 >"$work/out/doctor.json"
  for side in in out; do sed -n '/"blas"/,/}/p' "$work/$side/doctor.json" >"$work/$side/blas.json"; done
  diff "$work/out/blas.json" "$work/in/blas.json" || fail "the root's BLAS kernels differ from the normal build's"
  grep -E '"(coreInUse|bestCoreForCPU|selection)"' "$work/in/blas.json"
  in_use=$(sed -n 's/.*"coreInUse" : "\(.*\)".*/\1/p' "$work/in/blas.json")
  [ "$in_use" != Prescott ] || fail "the root's jettag computes on Prescott kernels with OPENBLAS_CORETYPE=$coretype"
done

step "export"
inside -- export --model model.h5 --onnx in/tagger.onnx || fail "export in the root"
outside -- export --model model.h5 --onnx out/tagger.onnx
cmp "$work/out/tagger.onnx" "$work/in/tagger.onnx" || fail "the root's tagger.onnx differs"
inside -- inspect in/tagger.onnx >/dev/null || fail "inspect of tagger.onnx in the root"

step "passed: $name runs in a minimal Debian 12 root, outputs equal to the normal build's"
