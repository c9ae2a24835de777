#!/usr/bin/env bash
# Installs the Debian packages JetTag builds against (HDF5 + zlib, libdeflate, OpenBLAS) and Open MPI (loaded at run
# time for `mpirun -np N jettag train`; the MPI tests need mpirun), unless already present, and those of
# Scripts/package.sh and Scripts/test-package.sh (patchelf, debootstrap, h5dump from hdf5-tools).
# Then the Python venv the ONNX export test runs onnx.checker and ONNX Runtime in (~/.cache/jettag-onnx-venv, pinned
# versions; Tests/onnx/check_onnx.py, run by Tests/JetTagKitTests/ONNXExportTests.swift).
# With --browser also Chromium and ImageMagick, which Scripts/check-report-in-browser.sh uses; with --slurm also
# Slurm and munge, which Scripts/slurm-local.sh and Scripts/slurm-tests.sh use (CI passes both).
set -euo pipefail
packages=(libhdf5-dev zlib1g-dev libdeflate-dev libopenblas-dev pkg-config python3-venv libopenmpi-dev openmpi-bin
    patchelf debootstrap hdf5-tools)
for option in "$@"; do
  case $option in
    --browser) packages+=(chromium imagemagick) ;;
    --slurm) packages+=(slurm-wlm munge) ;;
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
venv="$HOME/.cache/jettag-onnx-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check onnx==1.23.2 onnxruntime==1.31.1 numpy==2.4.6
