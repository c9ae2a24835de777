#!/usr/bin/env bash
# The whole test suite: unit and end-to-end tests (swift test), then every tutorial in Notebooks-md/ run as
# written on a release build (Scripts/run-notebooks.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
swift test
swift build -c release --product jettag
Scripts/run-notebooks.sh
