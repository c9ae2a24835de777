#!/usr/bin/env bash
# The main job on the shipped sample: train a Deep Sets top tagger, evaluate it on the held-out 20%,
# score every jet of the file, gather the run into one HTML report and say where everything went.
# About a minute on one core (release build).
set -euo pipefail
cd "$(dirname "$0")/.."
JETTAG=.build/release/jettag
RUN=${RUN:-runs/quickstart}
[ -x "$JETTAG" ] || swift build -c release --product jettag
rm -rf "$RUN"
"$JETTAG" inspect Datasets/top_qcd_sample.h5
"$JETTAG" train --config Configs/quickstart.yaml --out "$RUN" --no-report
"$JETTAG" evaluate --model "$RUN/model.h5" Datasets/top_qcd_sample.h5 --split validation --out "$RUN/evaluation" \
    --no-report
"$JETTAG" predict --model "$RUN/model.h5" Datasets/top_qcd_sample.h5 --out "$RUN/scores.h5"
"$JETTAG" report "$RUN"
echo
echo "Model: $RUN/model.h5   metrics: $RUN/evaluation/metrics.json   per-jet scores: $RUN/scores.h5"
echo "Report: $RUN/report.html (open it in a browser: every plot and table of the run on one page)"
