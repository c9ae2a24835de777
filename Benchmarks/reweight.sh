#!/usr/bin/env bash
# Reweighting benchmark: JetTag (the config's classifier: an MLP on the five jet observables) vs hep_ml's
# GBReweighter, nominal -> alpha_s = 0.16
# QCD jets (../shared/data/qcd_nominal_dev.h5 -> qcd_alphas_dev.h5), one run each.
#
#   Benchmarks/reweight.sh            # from the package root; prints the table
#
# Both sides train on the jets with event_number % 8 in 0..3 (JetTag: a cross-trained ensemble, each member
# validating on one of the four folds and training on the other three) and are judged by the same
# `jettag reweight closure` on the held-out folds 4..7: chi2/ndf of the five observables (mass, multiplicity,
# pt, width, pT_D; 20 bins at target quantiles, sum-of-w^2 errors) and the two-sample AUC of fresh Deep Sets
# classifiers (trained on folds 4, 5 and scored on 6, 7, and the other way round; 3 seeds). hep_ml reweights in the five observables
# themselves (its usual use), as JetTag's default MLP does (MODEL=deepsets adds the constituents).
# Wall times: JetTag's `reweight train` (data loading, standardisation, ensemble training) vs hep_ml's fit +
# predict (its data loading is not counted); the machine may be shared, so the load average is printed.
# Options: ENSEMBLE (default 8, as the config), THREADS (default 1), MODEL (default: the config's, mlp; or deepsets).
# The table is appended, with date, CPU, OpenBLAS core and load, to Benchmarks/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/results.sh
ENSEMBLE=${ENSEMBLE:-8}
THREADS=${THREADS:-1}
out=.build/reweight-bench
rm -rf "$out" && mkdir -p "$out"
swift build -c release --product jettag 2>&1 | tail -1
bin=$(swift build -c release --show-bin-path)/jettag
echo "# $(date -u) | $(nproc) cores | load: $(cut -d' ' -f1-3 /proc/loadavg)"
results_start ENSEMBLE THREADS MODEL -- "$@"

start=$(date +%s.%N)
"$bin" reweight train --config Configs/reweight-alphas.yaml --out "$out/jettag" --quiet \
  --set training.ensemble="$ENSEMBLE" --set training.threads="$THREADS" ${MODEL:+--set model.kind="$MODEL"}
jettag_seconds=$(echo "$(date +%s.%N) - $start" | bc)
"$bin" reweight closure --model "$out/jettag/model.h5" --out "$out/jettag/closure" --threads "$THREADS" > /dev/null

OMP_NUM_THREADS=$THREADS python3 Benchmarks/reweight_hepml.py ../shared/data/qcd_nominal_dev.h5 \
  ../shared/data/qcd_alphas_dev.h5 "$out/source_hepml.h5" > "$out/hepml.json"
"$bin" reweight closure --config Configs/reweight-alphas.yaml --new-weight-field hepml_weight \
  --source "$out/source_hepml.h5" --out "$out/hepml/closure" --threads "$THREADS" > /dev/null

python3 - "$out" "$jettag_seconds" <<'PY' | tee "$out/table.txt"
import json, sys
out, jettag_seconds = sys.argv[1], float(sys.argv[2])
hepml = json.load(open(f"{out}/hepml.json"))
reports = {name: json.load(open(f"{out}/{name}/closure/closure.json")) for name in ("jettag", "hepml")}
names = [o["name"] for o in reports["jettag"]["observables"]]
print(f"{'':24}" + "".join(f"{n:>13}" for n in names) + f"{'2-sample AUC':>14}{'wall s':>9}")
def row(label, report, key, auc_key, seconds):
    chi = "".join(f"{o[key]['chi2_per_ndf']:>13.2f}" for o in report["observables"])
    print(f"{label:24}{chi}{report['two_sample'][auc_key]:>14.4f}{seconds:>9}")
row("source (chi2/ndf)", reports["jettag"], "chi2_before", "auc_before", "")
row("JetTag (config)", reports["jettag"], "chi2_after", "auc_after", f"{jettag_seconds:.1f}")
row("hep_ml GBReweighter", reports["hepml"], "chi2_after", "auc_after", f"{hepml['fit_seconds'] + hepml['predict_seconds']:.1f}")
print("(the two-sample AUC of the unweighted source is the 'before' of each closure run; hepml before:",
      f"{reports['hepml']['two_sample']['auc_before']:.4f})")
PY
results_record "$out/table.txt"
