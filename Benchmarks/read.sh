#!/usr/bin/env bash
# Read throughput: JetTag (release, built as the README says) against h5py on the same fields of the same file, for
# batches of 1k and 10k jets; prints jets/s, uncompressed MB/s, the ratio and both sides' peak RSS (VmHWM / ru_maxrss)
# and appends the table, with date, CPU, OpenBLAS core and load, to Benchmarks/RESULTS.md.
# Usage (from the package root): Benchmarks/read.sh [FILE] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/results.sh
FILE="${1:-../shared/data/top_qcd_dev.h5}"
THREADS="${2:-$(nproc)}"
REPEATS=5  # passes per measurement, the fastest counts (the machine may be shared)
swift build -c release --product jettag-bench >/dev/null
BENCH=.build/release/jettag-bench
table=$(mktemp)
trap 'rm -f "$table"' EXIT
results_start -- "$FILE" "$THREADS"

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

{
printf "%-7s %-7s %12s %10s %12s %10s %8s %13s %12s\n" batch threads "swift jets/s" "swift MB/s" "h5py jets/s" "h5py MB/s" ratio "swift RSS MB" "h5py RSS MB"
for batch in 1000 10000; do
    reference=$(python3 Benchmarks/read_h5py.py "$FILE" --batch-size "$batch" --repeats "$REPEATS")
    for threads in 1 "$THREADS"; do
        swift=$("$BENCH" read "$FILE" --batch-size "$batch" --threads "$threads" --repeats "$REPEATS")
        if [[ "$(field checksum "$swift")" != "$(field checksum "$reference")" ]]; then
            echo "checksums differ: $swift / $reference" >&2
            exit 1
        fi
        ratio=$(python3 -c "print(f'{$(field jets_per_s "$swift") / $(field jets_per_s "$reference"):.2f}')")
        printf "%-7s %-7s %12s %10s %12s %10s %8s %13s %12s\n" "$batch" "$threads" "$(field jets_per_s "$swift")" \
            "$(field MB_per_s "$swift")" "$(field jets_per_s "$reference")" "$(field MB_per_s "$reference")" "$ratio" \
            "$(field peak_rss_MB "$swift")" "$(field peak_rss_MB "$reference")"
        [[ "$threads" == "$THREADS" ]] && break
    done
done
} | tee "$table"
results_record "$table"
