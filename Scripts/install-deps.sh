#!/usr/bin/env bash
# Installs the Debian packages JetTag builds against (HDF5 + zlib, libdeflate, OpenBLAS), unless already present,
# and those of Scripts/package.sh and Scripts/test-package.sh (patchelf, debootstrap, h5dump from hdf5-tools).
# With --browser also Chromium and ImageMagick, which Scripts/check-report-in-browser.sh uses (CI passes it).
set -euo pipefail
packages=(libhdf5-dev zlib1g-dev libdeflate-dev libopenblas-dev pkg-config patchelf debootstrap hdf5-tools)
[ "${1:-}" = "--browser" ] && packages+=(chromium imagemagick)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
