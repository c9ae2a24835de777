#!/usr/bin/env bash
# Scripts/fuzz.sh [SECONDS] [SEED]: a seeded mutation campaign over the HDF5 metadata of
# Datasets/top_qcd_sample.h5 (Tests/JetDataFuzz): mutations SEED, SEED+1, ... for SECONDS (default 120;
# SEED defaults to the current time), each read by JetStream (every field) and FileInspection in a child
# process with a 30 s bound, built with AddressSanitizer (JETTAG_FUZZ_ASAN=0 builds without).
# Every crash, hang or silently different result is written as a patch recipe to fuzz-findings/SEED.json;
# add it to Tests/JetDataTests/Fixtures/metadata_mutations.json once fixed. Exit 1 when any was found. First it
# replays Tests/JetDataFuzz/libhdf5-findings (crashes inside libhdf5 that must stay clean errors).
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
# the known crashes inside libhdf5 must stay clean errors (the metadata check in a child process)
replay=$(mktemp -d)
trap 'rm -rf "$replay"' EXIT
cp Tests/JetDataFuzz/libhdf5-findings/*.json "$replay"/
for recipe in "$replay"/*.json; do
    "$build/release/jettag-fuzz" check "$recipe" >&2 || { echo "fuzz.sh: $(basename "$recipe") is not a clean error" >&2; exit 1; }
done
"$build/release/jettag-fuzz" campaign "$budget" "$seed" fuzz-findings
