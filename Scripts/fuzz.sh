#!/usr/bin/env bash
# Scripts/fuzz.sh [SECONDS] [SEED]: a seeded mutation campaign over the HDF5 metadata of
# Datasets/top_qcd_sample.h5 (Tests/JetDataFuzz): mutations SEED, SEED+1, ... for SECONDS (default 120;
# SEED defaults to the current time), each read by JetStream (every field) and FileInspection in a child
# process with a 30 s bound, built with AddressSanitizer (JETTAG_FUZZ_ASAN=0 builds without).
# Every crash, hang or silently different result is written as a patch recipe to fuzz-findings/SEED.json;
# add it to Tests/JetDataTests/Fixtures/metadata_mutations.json once fixed. Exit 1 when any was found.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-120}
seed=${2:-$(date +%s)}
if [ "${JETTAG_FUZZ_ASAN:-1}" = 1 ]; then
    build=.build/fuzz-asan
    flags=(-Xswiftc -sanitize=address)
    # libhdf5 keeps some allocations until exit; leaks are not what this campaign looks for
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0}
else
    build=.build/fuzz
    flags=()
fi
swift build -c release "${flags[@]}" --build-path "$build" --product jettag-fuzz >&2
exec "$build/release/jettag-fuzz" campaign "$budget" "$seed" fuzz-findings
