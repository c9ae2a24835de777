#!/usr/bin/env bash
# Streaming benchmark (issue 13): `jettag train` of the PFN / Deep Sets config (Configs/top-deepsets.yaml) streamed
# from disk (data.inMemory: false) against the in-memory path, and the peak memory of a streamed epoch on files of
# 500k and 2M jets (re-numbered copies of ../shared/data/top_qcd_dev.h5, made by Benchmarks/make_stream_file.py
# under OUT and kept there for the next run; not committed).
#
#   Benchmarks/stream.sh                          # from the package root
#   SIZES="500000" THREADS=1 Benchmarks/stream.sh
#   EPOCHS=1 Benchmarks/stream.sh                 # one epoch per run (peak memory only; the rates then all
#                                                 # include the first round's read, which nothing overlaps)
#
# Rows: in-memory and streamed on the 30,000-jet development file (EPOCHS epochs each, default 2; the streamed run's shuffle buffer
# is data.shuffleBuffer's default, 100,000 jets, so it covers the file and trains the same model: checked from
# history.csv), then EPOCHS streamed epochs on each large file. Throughput: the training jets/s of history.csv
# (training steps only), of the first epoch and of the last: a stream reads the first round of epoch 1 before its
# first step with nothing to overlap (a sixth of an epoch on 500k jets), every later epoch's first round while the
# previous epoch is validated, so the last epoch is the steady state of a multi-epoch training; "vs in memory"
# compares last epochs; wall: the whole command (passes over the data, validation, writing); peak RSS:
# /usr/bin/time's maximum resident set size. Targets: streaming within 10% of the in-memory jets/s, peak RSS
# below 1.5 GiB and not growing with the file. Outputs under OUT (default runs/bench-stream/, gitignored).
# Prints the table and appends it to Benchmarks/RESULTS.md. Meant for a quiet host.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/results.sh
SIZES=${SIZES:-"500000 2000000"}
THREADS=${THREADS:-2}
EPOCHS=${EPOCHS:-2}
OUT=${OUT:-runs/bench-stream}
DATA=${DATA:-../shared/data/top_qcd_dev.h5}
CONFIG=Configs/top-deepsets.yaml
mkdir -p "$OUT"
swift build -c release --product jettag 2>&1 | tail -1
bin=$(swift build -c release --show-bin-path)/jettag
results_start SIZES THREADS EPOCHS OUT DATA -- "$@"
for size in $SIZES; do
  [ -f "$OUT/jets-$size.h5" ] || python3 Benchmarks/make_stream_file.py "$DATA" "$OUT/jets-$size.h5" --jets "$size"
done

# run NAME FILE OPTIONS... : EPOCHS epochs into $OUT/NAME; /usr/bin/time's report in $OUT/NAME.time
run() {
  local name=$1 file=$2
  shift 2
  rm -rf "${OUT:?}/$name"
  OPENBLAS_NUM_THREADS=$THREADS /usr/bin/time -v -o "$OUT/$name.time" "$bin" train --config "$CONFIG" --no-report \
    --set "data.files=[$file]" --set "training.epochs=$EPOCHS" --set "training.threads=$THREADS" "$@" --out "$OUT/$name" \
    2> "$OUT/$name.log"
}
run memory-30k "$DATA" --set data.inMemory=true
run stream-30k "$DATA" --set data.inMemory=false
names="memory-30k stream-30k"
for size in $SIZES; do
  run "stream-$size" "$OUT/jets-$size.h5" --set data.inMemory=false
  names="$names stream-$size"
done

same=$(cmp -s <(cut -d, -f1-5 "$OUT/memory-30k/history.csv") <(cut -d, -f1-5 "$OUT/stream-30k/history.csv") \
  && echo yes || echo NO)
table=$(mktemp)
{
  echo "| run | epoch 1 jets/s | last epoch jets/s | vs in memory | wall s | peak RSS MiB |"
  echo "|---|---|---|---|---|---|"
  reference=$(tail -n 1 "$OUT/memory-30k/history.csv" | cut -d, -f7)
  for name in $names; do
    first=$(sed -n 2p "$OUT/$name/history.csv" | cut -d, -f7)
    rate=$(tail -n 1 "$OUT/$name/history.csv" | cut -d, -f7)
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/$name.time")
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$OUT/$name.time" \
      | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }')
    awk -v n="$name" -v f="$first" -v r="$rate" -v ref="$reference" -v w="$wall" -v m="$rss" \
      'BEGIN { printf "| %s | %.0f | %.0f | %.2f | %s | %.0f |\n", n, f, r, r / ref, w, m / 1024 }'
  done
  echo
  echo "Streamed and in-memory 30k runs give the same losses (history.csv): $same."
} | tee "$table"
results_record "$table"
