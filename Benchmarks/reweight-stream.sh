#!/usr/bin/env bash
# Streamed reweighting benchmark (issue 13): `jettag reweight train` of the shipped MLP config
# (Configs/reweight-alphas.yaml: a cross-trained ensemble of 8 MLPs on the five jet observables, pt flattening,
# 20 epochs, patience 5) streamed from its scratch file (data.inMemory: false), on N source and N target events:
# re-numbered copies of ../shared/data/qcd_nominal_dev.h5 and qcd_alphas_dev.h5 (20,000 jets each; made by
# Benchmarks/make_stream_file.py under OUT and kept there for the next run; not committed; about 1.15 GB per
# million jets and file).
#
#   Benchmarks/reweight-stream.sh                        # from the package root: N = 200,000 and 1,000,000
#   SIZES=10000000 Benchmarks/reweight-stream.sh         # the issue's 10 M + 10 M (23 GB of files under OUT)
#   SIZES=200000 EPOCHS=2 THREADS=1 Benchmarks/reweight-stream.sh
#   TARGET=alphas_negw SETTINGS="reweighting.negativeWeights=resample reweighting.calibrate=true \
#     reweighting.crossTraining=false" Benchmarks/reweight-stream.sh   # Neural Resampler and calibration, streamed
#
# Per N: wall time of the whole command (standardisation pass, extraction into the scratch file, the weight
# passes, the 8 trainings, the normalisation passes, writing), events/s = 2 N / wall, the classifiers' training
# jets/s (mean over the members' epochs, history.csv), epochs trained (early stopping may end members early) and
# the peak RSS (/usr/bin/time -v), which must stay flat in N. Measured 2026-12-03 on a 2-core AMD EPYC Zen 3
# (THREADS=2): 1 M + 1 M in 143 s (417 MiB), 10 M + 10 M in 1,521 s (409 MiB; the files take a few more minutes to
# make the first time); 2026-12-04, with the cheaper extraction, 1 M + 1 M in 80 s (427 MiB), 10 M + 10 M in 790 s
# (386 MiB).
# Options: SIZES (events per sample), THREADS (training.threads, default 2), EPOCHS (default: the config's 20),
# TARGET (the target sample, qcd_<TARGET>_dev.h5: default alphas; alphas_negw has negative weights), SETTINGS
# (more `--set` key=value pairs, space-separated), OUT (default runs/bench-reweight-stream/, gitignored). Appends
# the table to Benchmarks/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/results.sh
SIZES=${SIZES:-"200000 1000000"}
THREADS=${THREADS:-2}
EPOCHS=${EPOCHS:-}
TARGET=${TARGET:-alphas}
SETTINGS=${SETTINGS:-}
OUT=${OUT:-runs/bench-reweight-stream}
CONFIG=Configs/reweight-alphas.yaml
mkdir -p "$OUT"
swift build -c release --product jettag 2>&1 | tail -1
bin=$(swift build -c release --show-bin-path)/jettag
results_start SIZES THREADS EPOCHS TARGET SETTINGS OUT -- "$@"
for size in $SIZES; do
  for sample in nominal "$TARGET"; do
    [ -f "$OUT/$sample-$size.h5" ] \
      || python3 Benchmarks/make_stream_file.py "../shared/data/qcd_${sample}_dev.h5" "$OUT/$sample-$size.h5" --jets "$size"
  done
done

extra=()
[ -n "$EPOCHS" ] && extra=(--set "training.epochs=$EPOCHS")
for setting in $SETTINGS; do extra+=(--set "$setting"); done
table=$(mktemp)
{
  echo "| events per sample | wall | events/s (2 N / wall) | training jets/s | epochs trained (8 members) | peak RSS MiB |"
  echo "|---|---|---|---|---|---|"
  for size in $SIZES; do
    name="rw-$size"
    rm -rf "${OUT:?}/$name"
    OPENBLAS_NUM_THREADS=$THREADS /usr/bin/time -v -o "$OUT/$name.time" "$bin" reweight train --config "$CONFIG" \
      --set "source.files=[$OUT/nominal-$size.h5]" --set "target.files=[$OUT/$TARGET-$size.h5]" \
      --set data.inMemory=false --set "training.threads=$THREADS" "${extra[@]}" --out "$OUT/$name" 2> "$OUT/$name.log"
    [ -z "$(ls -A "$OUT/$name" | grep '^\.events\.scratch')" ] || { echo "scratch file left in $OUT/$name" >&2; exit 1; }
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$OUT/$name.time" \
      | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }')
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/$name.time")
    rate=$(cat "$OUT/$name"/member*/history.csv | awk -F, '$1 != "epoch" { s += $7; n++ } END { printf "%.0f", s / n }')
    trained=$(cat "$OUT/$name"/member*/history.csv | grep -vc '^epoch')
    awk -v n="$size" -v w="$wall" -v r="$rate" -v e="$trained" -v m="$rss" \
      'BEGIN { printf "| %d | %.0f s | %.0f | %d | %d | %.0f |\n", n, w, 2 * n / w, r, e, m / 1024 }'
  done
} | tee "$table"
results_record "$table"
