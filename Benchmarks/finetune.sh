#!/usr/bin/env bash
# Fine-tuning against training from scratch (notebook 05, over several seeds and more test jets): a parent tagger
# trained on the jets of 550-600 GeV of DATA, fine-tuned (training.initFrom, learning rate 3e-4) on JETS jets of
# 600-650 GeV, against a tagger trained from scratch on the same jets, and one fine-tuned with the per-constituent
# network frozen (training.freeze: [constituent.*]); all evaluated on the 600-650 GeV jets with phi >= 0, which no
# run sees (the JETS jets are those with phi below a cut in (-pi, 0)). Configs/quickstart.yaml otherwise.
#
#   Benchmarks/finetune.sh                                  # from the package root
#   SEEDS="1 2 3 4 5" JETS=2000 DATA=../shared/data/top_qcd_dev.h5 Benchmarks/finetune.sh
#
# Each seed trains its own parent (training.seed) and the three runs from it with the same seed. Outputs under OUT
# (default runs/bench-finetune/, gitignored). Prints the table and appends it, with date, CPU, OpenBLAS core and
# load, to Benchmarks/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/results.sh
DATA=${DATA:-../shared/data/top_qcd_dev.h5}
SEEDS=${SEEDS:-"1 2 3"}
JETS=${JETS:-2000}
OUT=${OUT:-runs/bench-finetune}
mkdir -p "$OUT"

swift build -c release --product jettag 2>&1 | tail -1
bin=$(swift build -c release --show-bin-path)/jettag
results_start DATA SEEDS JETS OUT -- "$@"

test_jets='pt >= 600 && phi >= 0'
train() { "$bin" train --config Configs/quickstart.yaml --quiet --no-report --set "data.files=[$DATA]" "$@"; }
evaluate() { "$bin" evaluate --model "$1/model.h5" "$DATA" --selection "$2" --out "$1/$3" --no-report; }
for seed in $SEEDS; do
  dir=$OUT/seed$seed
  rm -rf "$dir"
  train --out "$dir/parent" --set training.seed=$seed --set 'data.selection=pt < 600'
  # The phi cut that leaves JETS jets of 600-650 GeV below it (phi is uniform by the symmetry of the collision).
  high=$(evaluate "$dir/parent" 'pt >= 600 && phi < 0' count | sed -n 's/.*: \([0-9]*\) jets.*/\1/p')
  cut=$(python3 -c "import math; print(round(-math.pi + math.pi * $JETS / $high, 4))")
  tune="pt >= 600 && phi < $cut"
  train --out "$dir/finetuned" --set training.seed=$seed --set "data.selection=$tune" \
    --set "training.initFrom=$dir/parent/model.h5" --set training.learningRate=0.0003
  train --out "$dir/scratch" --set training.seed=$seed --set "data.selection=$tune"
  train --out "$dir/frozen" --set training.seed=$seed --set "data.selection=$tune" \
    --set "training.initFrom=$dir/parent/model.h5" --set 'training.freeze=[constituent.*]'
  evaluate "$dir/parent" "$tune" tune | head -n 1 > "$dir/tune.txt"
  for run in parent finetuned scratch frozen; do evaluate "$dir/$run" "$test_jets" eval-high > /dev/null; done
done

python3 - "$OUT" $SEEDS <<'EOF' | tee "$OUT/table.txt"
import json, statistics, sys
out, seeds = sys.argv[1], sys.argv[2:]
runs = ["parent", "finetuned", "scratch", "frozen"]
def metrics(seed, run):
    m = json.load(open(f"{out}/seed{seed}/{run}/eval-high/metrics.json"))
    wp = {round(p["signal_efficiency"], 2): p for p in m["roc"]["working_points"]}
    return m["jets"], m["roc"]["auc"], wp[0.5]["background_rejection"], wp[0.5]["background_rejection_error"]
tune = open(f"{out}/seed{seeds[0]}/tune.txt").read().split(":")[1].split(",")[0].strip()
print(f"Trained on {tune} of 600-650 GeV (parent: all jets of 550-600 GeV); test jets: {metrics(seeds[0], 'parent')[0]}")
print()
print("| seed | " + " | ".join(f"AUC {r}" for r in runs) + " | " + " | ".join(f"1/eB(0.5) {r}" for r in runs) + " |")
print("|---" * (1 + 2 * len(runs)) + "|")
table = {r: [] for r in runs}
for seed in seeds:
    row = [metrics(seed, r) for r in runs]
    for r, m in zip(runs, row): table[r].append(m)
    print(f"| {seed} | " + " | ".join(f"{m[1]:.4f}" for m in row) + " | "
          + " | ".join(f"{m[2]:.1f} +- {m[3]:.1f}" for m in row) + " |")
if len(seeds) > 1:
    print("| mean +- sd | " + " | ".join(
        f"{statistics.mean(m[1] for m in table[r]):.4f} +- {statistics.stdev(m[1] for m in table[r]):.4f}" for r in runs)
        + " | " + " | ".join(
        f"{statistics.mean(m[2] for m in table[r]):.1f} +- {statistics.stdev(m[2] for m in table[r]):.1f}" for r in runs)
        + " |")
EOF
results_record "$OUT/table.txt"
