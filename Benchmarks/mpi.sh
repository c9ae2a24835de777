#!/usr/bin/env bash
# MPI benchmark: training throughput of one process against `mpirun -np 2` (one BLAS thread per rank) on the PFN /
# Deep Sets config (Configs/top-deepsets.yaml) and ../shared/data/top_qcd_dev.h5, and the time rank 0 spends in the
# per-step collectives (the allgather of the |w| sums, the allgather of the part gradients, the stop flag).
#
#   Benchmarks/mpi.sh                         # from the package root
#   JETS=20000 EPOCHS=1 Benchmarks/mpi.sh     # jets per split (data.maxJets), epochs
#
# Every variant trains the same model (training.dataShards=2, the same bits: checked at the end from the training
# losses in history.csv). Variants: one process with 1 and with 2 threads, `mpirun -np 1`, `mpirun -np 2` with 1
# thread per rank. Throughput: the training jets/s of the last epoch in history.csv (training steps only, without
# reading, validation and writing). Communication: the "MPI: ... training steps S s in N calls" line jettag prints
# (3 collectives per step), per step and as a share of the step. The parameter count is read from model.h5 (h5ls).
# Outputs under OUT (default runs/bench-mpi/, gitignored). Prints the table and appends it to Benchmarks/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/results.sh
JETS=${JETS:-30000}
EPOCHS=${EPOCHS:-2}
OUT=${OUT:-runs/bench-mpi}
CONFIG=Configs/top-deepsets.yaml
mkdir -p "$OUT"
command -v mpirun >/dev/null || { echo "mpirun not found: Scripts/install-deps.sh installs openmpi-bin" >&2; exit 1; }
swift build -c release --product jettag 2>&1 | tail -1
bin=$(swift build -c release --show-bin-path)/jettag
results_start JETS EPOCHS OUT -- "$@"
common=(--config "$CONFIG" --no-report --set "data.maxJets=$JETS" --set "training.epochs=$EPOCHS"
  --set training.dataShards=2)
mpi=(mpirun --allow-run-as-root --oversubscribe --bind-to none)

# run NAME THREADS LAUNCHER... : trains into $OUT/NAME, keeps stderr in $OUT/NAME.log
run() {
  local name=$1 threads=$2
  shift 2
  rm -rf "${OUT:?}/$name"
  local start end
  start=$(date +%s.%N)
  OPENBLAS_NUM_THREADS=$threads "$@" "$bin" train "${common[@]}" --set "training.threads=$threads" --out "$OUT/$name" \
    2> "$OUT/$name.log"
  end=$(date +%s.%N)
  echo "$start $end" > "$OUT/$name.wall"
}
run solo-1t 1
run solo-2t 2
run np1 1 "${mpi[@]}" -np 1
run np2 1 "${mpi[@]}" -np 2

params=$(h5ls -r "$OUT/np2/model.h5" | sed -n 's|^/parameters/.*Dataset {\(.*\)}$|\1|p' \
  | awk -F', ' '{ n = 1; for (i = 1; i <= NF; i++) n *= $i; total += n } END { print total }')
table=$(mktemp)
{
  echo "| variant | wall s | training jets/s (last epoch) | steps/epoch | collectives in steps, ms/step | share of step |"
  echo "|---|---|---|---|---|---|"
  for name in solo-1t solo-2t np1 np2; do
    read -r start end < "$OUT/$name.wall"
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    last=$(tail -n 1 "$OUT/$name/history.csv")
    rate=$(echo "$last" | cut -d, -f7)
    seconds=$(echo "$last" | cut -d, -f6)
    comm=$(sed -n 's/.*training steps \([0-9.]*\) s in \([0-9]*\) calls.*/\1 \2/p' "$OUT/$name.log")
    if [ -n "$comm" ]; then
      read -r commSeconds calls <<< "$comm"
      steps=$((calls / 3 / EPOCHS))
      perStep=$(awk -v s="$commSeconds" -v n="$calls" 'BEGIN { printf "%.3f", s / (n / 3) * 1000 }')
      share=$(awk -v s="$commSeconds" -v n="$calls" -v t="$seconds" -v k="$steps" \
        'BEGIN { printf "%.1f%%", 100 * (s / (n / 3)) / (t / k) }')
    else
      steps="-"; perStep="-"; share="-"
    fi
    printf '| %s | %s | %.0f | %s | %s | %s |\n' "$name" "$wall" "$rate" "$steps" "$perStep" "$share"
  done
  echo
  echo "parameters (with BatchNorm statistics): $params; part gradients allgathered per step: 2 x $params floats" \
    "($((2 * params * 4 / 1024)) KiB)"
  losses=$(for name in solo-1t solo-2t np1 np2; do cut -d, -f2-4 "$OUT/$name/history.csv" | md5sum; done | sort -u | wc -l)
  [ "$losses" = 1 ] && echo "training and validation losses: identical in all four variants" \
    || echo "training and validation losses: DIFFER between variants"
} | tee "$table"
results_record "$table"
