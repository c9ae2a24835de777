#!/usr/bin/env bash
# Tagging-quality ablation (issue 12): JetTag's PFN config changed one thing at a time toward weaver-core's choices
# (and back), each variant trained with several seeds on the development file and evaluated on the held-out jets.
#
#   Benchmarks/ablation.sh                          # every variant below, seeds 0 1 2
#   VARIANTS="default robust" SEEDS="0 1" Benchmarks/ablation.sh
#   CONFIG=Configs/top-cnn1d.yaml VARIANTS="default meanstd" Benchmarks/ablation.sh
#
# Split: event_number % 5 == 0 held out (5,923 jets), the others train (24,077), as in Benchmarks/peers.sh and
# ../shared/peers/weaver/. Per variant and seed: `jettag train --config CONFIG` with the variant's --set overrides,
# then `jettag evaluate --split validation`. Prints, per variant, the mean and the spread (standard deviation over
# seeds) of the AUC and of 1/eps_B at signal efficiency 0.3 and 0.5, with each seed's values, and appends the table
# to Benchmarks/RESULTS.md. Outputs under OUT (default runs/ablation/); BIN=path uses that jettag instead of building.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/results.sh
CONFIG=${CONFIG:-Configs/top-deepsets.yaml}
SEEDS=${SEEDS:-"0 1 2"}
THREADS=${THREADS:-2}
OUT=${OUT:-runs/ablation}
DATA=${DATA:-../shared/data/top_qcd_dev.h5}

# name -> overrides (on top of the config and the split). "shipped" is the config as shipped (weaver's choices since
# this ablation); "previous" restores JetTag's earlier defaults, and each single change starts from it.
previous="--set features.standardization=meanStd --set training.checkpointMetric=loss --set training.patience=5"
previous="$previous --set weights.weighting.balanceClasses=true"
noclip="--set features.constituentVariables=[$(for v in pt_log e_log logptrel logerel deltaR deta dphi; do
  printf '[%s,null,null,null,null],' "$v"; done | sed 's/,$//')]"
declare -A variant=(
  [shipped]=""
  [previous]="$previous"
  [robust]="$previous --set features.standardization=robust"
  [noclip]="$previous $noclip"
  [accuracy]="$previous --set training.checkpointMetric=accuracy"
  [allepochs]="$previous --set training.patience=0"
  [nobalance]="$previous --set weights.weighting.balanceClasses=false"
  [robustall]="$previous --set features.standardization=robust --set training.patience=0"
  [robustallaccuracy]="$previous --set features.standardization=robust --set training.checkpointMetric=accuracy --set training.patience=0"
  [shippedmeanstd]="--set features.standardization=meanStd"
)
VARIANTS=${VARIANTS:-"previous robust noclip accuracy allepochs nobalance robustall robustallaccuracy shippedmeanstd shipped"}

if [ -z "${BIN:-}" ]; then
  swift build -c release --product jettag 2>&1 | tail -1
  BIN=$(swift build -c release --show-bin-path)/jettag
fi
bin=$BIN
results_start CONFIG SEEDS THREADS VARIANTS -- "$@"
mkdir -p "$OUT"
for name in $VARIANTS; do
  [ -n "${variant[$name]+set}" ] || { echo "unknown variant '$name' (known: ${!variant[*]})" >&2; exit 2; }
  for seed in $SEEDS; do
    run=$OUT/$name-s$seed
    rm -rf "$run"
    echo "## $name, seed $seed: ${variant[$name]:-(as shipped)}"
    # shellcheck disable=SC2086
    "$bin" train --config "$CONFIG" --out "$run" --quiet --no-report --set "data.files=[$DATA]" \
      --set data.split.modulus=5 --set "data.split.validationFolds=[0]" --set training.threads="$THREADS" \
      --set training.seed="$seed" ${variant[$name]}
    "$bin" evaluate --model "$run/model.h5" --split validation --threads "$THREADS" --no-report \
      --out "$run/eval" "$DATA" > "$run/eval.txt"
  done
done

python3 - "$OUT" "$SEEDS" $VARIANTS <<'PY' | tee "$OUT/table.md"
import json, os, statistics, sys
out, seeds, names = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
def cell(values, digits):
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.{digits}f} ± {spread:.{digits}f} ({', '.join(f'{v:.{digits}f}' for v in values)})"
print("| variant | seeds | AUC | 1/eps_B at 0.3 | 1/eps_B at 0.5 | best epoch / epochs run |")
print("|---|---|---|---|---|---|")
for name in names:
    aucs, r30, r50, best = [], [], [], []
    for seed in [s for s in seeds if os.path.isdir(f"{out}/{name}-s{s}")]:
        roc = json.load(open(f"{out}/{name}-s{seed}/eval/metrics.json"))["roc"]
        points = {round(p["signal_efficiency"], 2): p["background_rejection"] for p in roc["working_points"]}
        aucs.append(roc["auc"]); r30.append(points[0.3]); r50.append(points[0.5])
        history = json.load(open(f"{out}/{name}-s{seed}/history.json"))
        metric = json.load(open(f"{out}/{name}-s{seed}/config.json"))["training"].get("checkpointMetric", "loss")
        pick = (lambda r: -r["validationAccuracy"]) if metric == "accuracy" else (lambda r: r["validationLoss"])
        best.append(f"{min(history, key=pick)['epoch']}/{len(history)}")
    print(f"| {name} | {len(aucs)} | {cell(aucs, 4)} | {cell(r30, 0)} | {cell(r50, 0)} | {', '.join(best)} |")
PY
results_record "$OUT/table.md"
