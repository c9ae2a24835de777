#!/usr/bin/env bash
# Installs the Debian packages JetTag builds against (HDF5 + zlib, libdeflate, OpenBLAS), unless already present.
# With --browser also Chromium and ImageMagick, which Scripts/check-report-in-browser.sh uses; with --slurm also
# Slurm, munge and the HDF5 tools, which Scripts/slurm-local.sh and Scripts/slurm-tests.sh use (CI passes both).
set -euo pipefail
packages=(libhdf5-dev zlib1g-dev libdeflate-dev libopenblas-dev pkg-config)
for option in "$@"; do
  case $option in
    --browser) packages+=(chromium imagemagick) ;;
    --slurm) packages+=(slurm-wlm munge hdf5-tools) ;;
    *) echo "usage: $0 [--browser] [--slurm]" >&2; exit 64 ;;
  esac
done
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
