#!/usr/bin/env bash
# Training benchmark: `jettag train` + `jettag evaluate --split validation` against the PyTorch reference of the
# same config (Benchmarks/train_torch.py), Deep Sets / PFN, P-CNN, Particle Transformer and ParticleNet (MODELS: any
# of deepsets cnn1d transformer particlenet, each trained from Configs/top-<model>.yaml), on
# ../shared/data/top_qcd_dev.h5.
#
#   Benchmarks/train.sh                      # from the package root
#   EPOCHS=10 THREADS=2 Benchmarks/train.sh  # fewer epochs (both sides), threads on both sides
#   MODELS=cnn1d OUT=runs/bench-train-cnn Benchmarks/train.sh  # one model, another output folder
#   MODELS="transformer particlenet" PID=1 Benchmarks/train.sh  # with the particle-ID features
#   MODELS=transformer TORCH=0 Benchmarks/train.sh  # JetTag only (PyTorch's transformer takes hours on 2 cores)
#   MODELS=particlenet SEED=1 Benchmarks/train.sh  # another seed (training.seed on both sides; default: the config's)
#   RESUME=1 MODELS=transformer Benchmarks/train.sh  # in sittings: run it again until it prints the table
#
# AUC errors: DeLong's (JetTag's from `jettag evaluate`, PyTorch's from Benchmarks/lib/delong.py). With TORCH=1 the
# note under the table gives AUC jettag - pytorch with the error of the difference on the same held-out jets
# (paired DeLong: `jettag predict` scores and train_torch.py --scores-out, matched by row in the file).
#
# RESUME=1: the JetTag side of a model is kept when an earlier sitting finished it (OUT/<model>-jettag/model.h5 and
# OUT/<model>-eval/metrics.json), and PyTorch writes its training state after every epoch to
# OUT/<model>-torch.ckpt and resumes from it (train_torch.py --checkpoint): a run killed with its session goes on
# from its last finished epoch, to the same losses as in one sitting. Same OUT and settings every sitting.
#
# PID=1: the particle-ID variant on both sides: Configs/top-<model>-pid.yaml when it exists, else the model's config
# with `--set features.constituentVariables=[..., {name: charge, standardize: false}, isChargedHadron,
# isNeutralHadron, isPhoton, isElectron, isMuon]` (what top-deepsets-pid.yaml adds to top-deepsets.yaml; the list
# comes from `train_torch.py --print-pid-variables`). Both sides get the same config file and the same overrides.
#
# Split: ATLAS folds, event_number % 5 == 0 is the held-out 20% (data.split.modulus=5, validationFolds [0]) on
# both sides, so both train and evaluate on the same jets. Per model: jettag train under /usr/bin/time -v (wall
# time, peak RSS), jettag evaluate on the validation split, then the PyTorch reference (same features,
# standardisation, weights, model, optimizer, batch size, epochs, early stopping; wall time from process start
# to the best model in memory). Outputs under OUT (default runs/bench-train/, gitignored). Prints the table at the end
# and appends it, with date, CPU, OpenBLAS core and load, to Benchmarks/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/results.sh
THREADS=${THREADS:-2}
EPOCHS=${EPOCHS:-}
MODELS=${MODELS:-"deepsets cnn1d"}
PID=${PID:-0}
TORCH=${TORCH:-1}
SEED=${SEED:-}
RESUME=${RESUME:-0}
if [ "$PID" = 1 ]; then OUT=${OUT:-runs/bench-train-pid}; else OUT=${OUT:-runs/bench-train}; fi
out=$OUT
mkdir -p "$out"

swift build -c release --product jettag 2>&1 | tail -1
bin=$(swift build -c release --show-bin-path)/jettag
results_start THREADS EPOCHS MODELS PID TORCH SEED RESUME OUT -- "$@"

echo "# $(date -u) | $(nproc) cores | load: $(cut -d' ' -f1-3 /proc/loadavg) | threads $THREADS | epochs ${EPOCHS:-config} | pid $PID | torch $TORCH | seed ${SEED:-config}" \
  | tee "$out/conditions.txt"
for model in $MODELS; do
  config=Configs/top-$model.yaml
  sets=(--set data.split.modulus=5 --set "data.split.validationFolds=[0]")
  [ -z "$SEED" ] || sets+=(--set training.seed="$SEED")
  if [ "$PID" = 1 ]; then
    if [ -f "Configs/top-$model-pid.yaml" ]; then
      config=Configs/top-$model-pid.yaml
    else
      sets+=(--set "features.constituentVariables=$(python3 Benchmarks/train_torch.py --model "$model" --print-pid-variables)")
    fi
  fi
  epochs=${EPOCHS:-$(sed -n 's/^ *epochs: *\([0-9]*\).*/\1/p' "$config")}
  sets+=(--set training.epochs="$epochs")
  run=$out/$model-jettag
  checkpoint=()
  if [ "$RESUME" = 1 ] && [ -f "$run/model.h5" ] && [ -f "$out/$model-eval/metrics.json" ]; then
    echo "## $model: jettag side kept from an earlier sitting ($run)"
  else
    rm -rf "$run" "$out/$model-eval" "$out/$model-torch.jsonl" "$out/$model-torch.ckpt" "$out/$model-torch.time" \
      "$out/$model"-*-scores.*
    echo "## $model: jettag train ($config, $epochs epochs, $THREADS threads), load $(cut -d' ' -f1-3 /proc/loadavg)"
    OPENBLAS_NUM_THREADS=$THREADS /usr/bin/time -v -o "$out/$model-jettag.time" "$bin" train --config "$config" \
      --out "$run" --quiet "${sets[@]}" --set training.threads="$THREADS"
  fi
  # Also when a kept side's metrics.json predates the AUC error.
  if ! grep -qs '"auc_error"' "$out/$model-eval/metrics.json"; then
    OPENBLAS_NUM_THREADS=$THREADS "$bin" evaluate --model "$run/model.h5" --split validation --threads "$THREADS" \
      --out "$out/$model-eval" ../shared/data/top_qcd_dev.h5 | tee "$out/$model-eval.txt"
  fi
  [ "$TORCH" = 1 ] || continue
  [ -f "$out/$model-jettag-scores.h5" ] || OPENBLAS_NUM_THREADS=$THREADS "$bin" predict --model "$run/model.h5" \
    --threads "$THREADS" --out "$out/$model-jettag-scores.h5" ../shared/data/top_qcd_dev.h5
  [ "$RESUME" = 1 ] && checkpoint=(--checkpoint "$out/$model-torch.ckpt")
  echo "## $model: PyTorch ($config, $epochs epochs, $THREADS threads), load $(cut -d' ' -f1-3 /proc/loadavg)"
  OMP_NUM_THREADS=$THREADS /usr/bin/time -v -a -o "$out/$model-torch.time" python3 Benchmarks/train_torch.py \
    --model "$model" --config "$config" "${sets[@]}" --threads "$THREADS" "${checkpoint[@]}" \
    --scores-out "$out/$model-torch-scores.npz" | tee -a "$out/$model-torch.jsonl"
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/conditions.txt"

python3 - "$out" $MODELS <<'EOF' | tee "$out/table.txt"
import csv, json, os, re, sys
import h5py, numpy as np
sys.path.insert(0, "Benchmarks/lib")
import delong
out, models = sys.argv[1], sys.argv[2:]

def time_v(path):
    """Wall time of the last sitting and the peak RSS over all sittings (PyTorch's file gets one entry per sitting)."""
    text = open(path).read()
    wall = re.findall(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)[-1]
    seconds = int(wall[0] or 0) * 3600 + int(wall[1]) * 60 + float(wall[2])
    return seconds, max(int(k) for k in re.findall(r"Maximum resident set size \(kbytes\): (\d+)", text)) / 1024

def cell(value, error, digits=1):
    return f"{float(value):.{digits}f} ± {float(error):.{digits}f}"  # metrics.json writes "inf" for no background

def paired_difference(model):
    """AUC jettag - pytorch and its paired DeLong error on the held-out jets both sides scored."""
    torch_side = np.load(f"{out}/{model}-torch-scores.npz")
    jets = h5py.File(f"{out}/{model}-jettag-scores.h5", "r")["jets"][()]
    field = next(n for n in jets.dtype.names if n.endswith("_ptop"))
    assert np.array_equal(jets["jet_index"], np.arange(len(jets))), "jettag predict wrote the rows in file order"
    ours = jets[field][torch_side["jet_index"]]
    return delong.paired_difference(torch_side["label"], ours, torch_side["score"])

print(open(f"{out}/conditions.txt").read().strip())
header = ["model", "side", "epochs (best)", "wall s", "train jets/s", "epoch jets/s", "peak RSS MB", "AUC",
          "1/eps_B @0.3", "1/eps_B @0.5"]
rows, notes, configs = [], [], []
for model in models:
    history = list(csv.DictReader(open(f"{out}/{model}-jettag/history.csv")))
    torch = None
    if os.path.exists(f"{out}/{model}-torch.jsonl"):
        torch = [json.loads(line) for line in open(f"{out}/{model}-torch.jsonl") if '"side"' in line][-1]
        metric = torch["checkpoint_metric"]
    else:
        metric = json.load(open(f"{out}/{model}-jettag/config.json"))["training"].get("checkpointMetric", "loss")
    if metric == "accuracy":
        best = max(history, key=lambda r: float(r["validation_accuracy"]))["epoch"]
    else:
        best = min(history, key=lambda r: float(r["validation_loss"]))["epoch"]
    jets = round(float(history[0]["seconds"]) * float(history[0]["jets_per_second"]))
    wall, rss = time_v(f"{out}/{model}-jettag.time")
    metrics = json.load(open(f"{out}/{model}-eval/metrics.json"))
    roc = metrics["roc"] if "roc" in metrics else metrics
    points = {f"{p['signal_efficiency']:.1f}": p for p in roc["working_points"]}
    swift_auc = roc["auc"]
    epoch_rate = sum(float(r["jets_per_second"]) for r in history) / len(history)
    rows.append([model, "jettag", f"{len(history)} ({best})", f"{wall:.1f}", f"{jets * len(history) / wall:.0f}",
                 f"{epoch_rate:.0f}", f"{rss:.0f}", cell(swift_auc, roc["auc_error"], 4),
                 cell(points["0.3"]["background_rejection"], points["0.3"]["background_rejection_error"]),
                 cell(points["0.5"]["background_rejection"], points["0.5"]["background_rejection_error"])])
    if torch is None:
        notes.append(f"{model}: JetTag only (TORCH=0)")
        continue
    configs.append(torch["config"])
    _, torch_rss = time_v(f"{out}/{model}-torch.time")
    twall = torch["train_seconds"]
    rows.append([model, f"pytorch ({torch['batchnorm']} BN)" if model == "cnn1d" else "pytorch",
                 f"{torch['epochs_run']} ({torch['best_epoch']})", f"{twall:.1f}",
                 f"{torch['training_jets'] * torch['epochs_run'] / twall:.0f}",
                 f"{torch['epoch_jets_per_second']:.0f}", f"{torch_rss:.0f}",
                 cell(torch["auc"], torch["auc_error"], 4),
                 cell(torch["rejection"]["0.3"], torch["rejection_error"]["0.3"]),
                 cell(torch["rejection"]["0.5"], torch["rejection_error"]["0.5"])])
    difference, error = paired_difference(model)
    assert abs(difference - (swift_auc - torch["auc"])) < 1e-4, "the paired AUCs are those of the two sides"
    verdict = (f"{difference:+.4f} ± {error:.4f}, paired DeLong on the {torch['validation_jets']} held-out jets "
               f"({difference / error:+.1f} sigma: {'meets' if difference >= -error else 'MISSES'} the bar "
               f"'at or above PyTorch within the statistical error')")
    notes.append(f"{model}: wall time jettag / pytorch = {wall / twall:.2f}; training jets {jets} (jettag), "
                 f"{torch['training_jets']} (pytorch); AUC jettag - pytorch = {verdict}")
widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
for line in [header, ["-" * w for w in widths]] + rows:
    print("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths)) + " |")
print("\n".join(notes))
print(f"configs: {', '.join(configs) or ', '.join(f'Configs/top-{m}.yaml' for m in models)} (+ the --set overrides of train.sh, also on the PyTorch side); best epoch by the config's checkpointMetric.")
print("AUC ± DeLong's statistical error; 1/eps_B ± binomial errors from the held-out background count.")
print("wall s: the whole train command for jettag (/usr/bin/time); PyTorch from process start to the best model in"
      " memory (imports, reading, features, training). train jets/s = training jets x epochs run / wall s;"
      " epoch jets/s = mean over epochs of the training loop alone.")
EOF
results_record "$out/table.txt"
