#!/usr/bin/env bash
# The whole test suite: unit and end-to-end tests (swift test), then every tutorial in Notebooks-md/ run as
# written on a release build (Scripts/run-notebooks.sh), the batch templates as jobs on a local single-node
# Slurm (Scripts/slurm-tests.sh, which starts it with Scripts/slurm-local.sh; skipped without Slurm unless
# CI=true), then a one-minute seeded mutation campaign over the sample's HDF5 metadata under AddressSanitizer
# (Scripts/fuzz.sh; seed 20000's first 158 mutations are known clean), then the relocatable tarball
# (Scripts/package.sh) run in a minimal Debian 12 root against that release build (Scripts/test-package.sh: root
# for debootstrap and chroot; the root is cached in ~/.cache/jettag).
set -euo pipefail
cd "$(dirname "$0")/.."
swift test
swift build -c release --product jettag
Scripts/run-notebooks.sh
Scripts/slurm-tests.sh
Scripts/fuzz.sh 60 20000
tarball=$(Scripts/package.sh out)
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo Scripts/test-package.sh "$tarball"
