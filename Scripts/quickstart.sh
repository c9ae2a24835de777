#!/usr/bin/env bash
# The main job on the shipped sample: train a Deep Sets top tagger, evaluate it on the held-out 20%,
# score every jet of the file, and say where everything went. About a minute on one core (release build).
set -euo pipefail
cd "$(dirname "$0")/.."
JETTAG=.build/release/jettag
RUN=${RUN:-runs/quickstart}
[ -x "$JETTAG" ] || swift build -c release --product jettag
rm -rf "$RUN"
"$JETTAG" inspect Datasets/top_qcd_sample.h5
"$JETTAG" train --config Configs/quickstart.yaml --out "$RUN"
"$JETTAG" evaluate --model "$RUN/model.h5" Datasets/top_qcd_sample.h5 --split validation --out "$RUN/evaluation"
"$JETTAG" predict --model "$RUN/model.h5" Datasets/top_qcd_sample.h5 --out "$RUN/scores.h5"
echo
echo "Model: $RUN/model.h5   metrics: $RUN/evaluation/metrics.json   per-jet scores: $RUN/scores.h5"
