#!/usr/bin/env bash
# JetTag against weaver-core, the trainer CMS physicists run, on the same PFN job (issue 12): the PFN of
# Configs/top-deepsets.yaml trained by `jettag train` and by weaver-core 0.5.3 (PyTorch 2.13, installed from PyPI
# into a virtual environment), on the same 24,077 training jets of the development file (event_number % 5 != 0),
# 20 epochs, batch 256, Adam 1e-3, both evaluated on the same 5,923 held-out jets (event_number % 5 == 0).
#
#   Benchmarks/peers.sh                  # 3 runs of each side, alternated, 2 threads
#   RUNS=5 THREADS=1 Benchmarks/peers.sh
#
# weaver has no seed option: its runs differ by its own random initialisation and shuffling; JetTag's runs use
# training.seed = 0, 1, ... Each side's AUC and 1/eps_B at signal efficiency 0.3 and 0.5, wall time of the whole
# training command (reading, preprocessing, training, and for weaver its prediction of the held-out jets), training
# jets/s (training jets x epochs / wall) and peak RSS (/usr/bin/time -v) per run, then the mean and spread of each
# side and the ratios. Appends the table to Benchmarks/RESULTS.md. Outputs under OUT (default runs/peers/).
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/results.sh
RUNS=${RUNS:-3}
THREADS=${THREADS:-2}
OUT=${OUT:-runs/peers}
DATA=${DATA:-../shared/data/top_qcd_dev.h5}
VENV=${WEAVER_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/jettag-weaver-venv}
CONFIG=${CONFIG:-Configs/top-deepsets.yaml}

if [ ! -x "$VENV/bin/weaver" ]; then
  python3 -m venv "$VENV"
  # torch pinned to the CPU build: the plain wheel is the 4 GB CUDA one
  "$VENV/bin/pip" install -q weaver-core==0.5.3 torch==2.13.0+cpu h5py pyarrow
fi
if [ -z "${BIN:-}" ]; then
  swift build -c release --product jettag 2>&1 | tail -1
  BIN=$(swift build -c release --show-bin-path)/jettag
fi
results_start RUNS THREADS CONFIG -- "$@"
mkdir -p "$OUT"
[ -f "$OUT/data/val.parquet" ] || "$VENV/bin/python" Benchmarks/peers/to_parquet.py "$DATA" "$OUT/data"
peers=$(pwd)/Benchmarks/peers
for run in $(seq 0 $((RUNS - 1))); do
  dir=$OUT/jettag-$run
  rm -rf "$dir"
  echo "## jettag run $run (seed $run), load $(results_load)"
  OPENBLAS_NUM_THREADS=1 /usr/bin/time -v -o "$OUT/jettag-$run.time" "$BIN" train --config "$CONFIG" --out "$dir" \
    --quiet --no-report --set "data.files=[$DATA]" --set data.split.modulus=5 --set "data.split.validationFolds=[0]" \
    --set training.threads="$THREADS" --set training.seed="$run" --set training.epochs=20
  "$BIN" evaluate --model "$dir/model.h5" --split validation --threads "$THREADS" --no-report --out "$dir/eval" \
    "$DATA" > "$dir/eval.txt"
  echo "## weaver run $run, load $(results_load)"
  rm -rf "$OUT/weaver-$run"
  (cd "$OUT/data" && OMP_NUM_THREADS=$THREADS /usr/bin/time -v -o "../weaver-$run.time" "$VENV/bin/weaver" \
    --data-train train.parquet --data-val val.parquet --data-test val.parquet --data-config "$peers/weaver_pfn.yaml" \
    --network-config "$peers/weaver_pfn_net.py" --model-prefix "../weaver-$run/pfn" --num-epochs 20 --batch-size 256 \
    --start-lr 1e-3 --optimizer adam --lr-scheduler none --gpus '' --num-workers 1 --fetch-step 1.0 \
    --predict-output pred.parquet > "../weaver-$run.log" 2>&1)
  "$VENV/bin/python" Benchmarks/peers/score_parquet.py "$OUT/weaver-$run/predict_output/pred.parquet" \
    > "$OUT/weaver-$run.json"
done

python3 - "$OUT" "$RUNS" <<'PY' | tee "$OUT/table.md"
import json, re, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
TRAINING_JETS, EPOCHS = 24077, 20

def time_v(path):
    text = open(path).read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)
    seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    return seconds, int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024**2

rows = {"jettag": [], "weaver-core": []}
for run in range(runs):
    roc = json.load(open(f"{out}/jettag-{run}/eval/metrics.json"))["roc"]
    points = {round(p["signal_efficiency"], 1): p["background_rejection"] for p in roc["working_points"]}
    rows["jettag"].append((roc["auc"], points[0.3], points[0.5], *time_v(f"{out}/jettag-{run}.time")))
    w = json.load(open(f"{out}/weaver-{run}.json"))
    rows["weaver-core"].append((w["auc"], w["rejection"]["0.3"], w["rejection"]["0.5"], *time_v(f"{out}/weaver-{run}.time")))

def spread(values, digits):
    s = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.{digits}f} ± {s:.{digits}f}"

print("| side | run | AUC | 1/eps_B at 0.3 | at 0.5 | wall s | training jets/s | peak RSS GiB |")
print("|---|---|---|---|---|---|---|---|")
for side, values in rows.items():
    for run, (auc, r30, r50, wall, rss) in enumerate(values):
        print(f"| {side} | {run} | {auc:.4f} | {r30:.0f} | {r50:.0f} | {wall:.0f} | {TRAINING_JETS * EPOCHS / wall:.0f} | {rss:.2f} |")
    columns = list(zip(*values))
    print(f"| **{side}** | mean ± spread | {spread(columns[0], 4)} | {spread(columns[1], 0)} | {spread(columns[2], 0)} "
          f"| {spread(columns[3], 0)} | | {spread(columns[4], 2)} |")
j, w = (list(zip(*rows[s])) for s in ("jettag", "weaver-core"))
print(f"\nratios jettag / weaver-core: wall {statistics.mean(j[3]) / statistics.mean(w[3]):.2f}, "
      f"peak RSS {statistics.mean(j[4]) / statistics.mean(w[4]):.2f}; AUC difference "
      f"{statistics.mean(j[0]) - statistics.mean(w[0]):+.4f}")
PY
results_record "$OUT/table.md"
