#!/usr/bin/env bash
# The whole test suite: unit and end-to-end tests (swift test).
set -euo pipefail
cd "$(dirname "$0")/.."
swift test
