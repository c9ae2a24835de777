#!/bin/sh
# Writes the JetModelsTests fixtures of model files as earlier JetTag versions wrote them, so that the tests
# check those files still load: legacy-tagger.h5 (a `jettag train` model, format_version 1, training_config
# as a JSON string) and legacy-reweighting/ (a `jettag reweight train` model.h5 with the reweighting.json
# beside it, from before the reweighting info moved into the model file).
#
# Run from the package root with a jettag built from commit 91c3ff7:
#   JETTAG=/path/to/91c3ff7/.build/debug/jettag sh Tests/Scripts/make_legacy_model_fixtures.sh
# Reads Datasets/top_qcd_sample.h5 (300 jets for the tagger; QCD vs top as source vs target for reweighting).
set -eu
: "${JETTAG:?set JETTAG to a jettag built from commit 91c3ff7}"
OUT="$(pwd)/Tests/JetModelsTests/Fixtures"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp Datasets/top_qcd_sample.h5 "$WORK/"
cd "$WORK"
cat > tagger.yaml <<'YAML'
data:
  files: [top_qcd_sample.h5]
  maxJets: 300
features:
  maxConstituents: 8
  constituentVariables: [deta, dphi, logptrel]
model:
  kind: deepsets
  deepsets: {constituentLayers: [4], headLayers: [4]}
training: {epochs: 1, batchSize: 64, seed: 1}
YAML
cat > reweight.yaml <<'YAML'
source: {files: [top_qcd_sample.h5], selection: "label == 0"}
target: {files: [top_qcd_sample.h5], selection: "label == 1"}
reweighting: {modulus: 4, trainingFolds: [0], validationFolds: [1], heldOutFolds: [2, 3]}
closure: {observables: [pt, mass], bins: 4, epochs: 1, seeds: 1}
features:
  maxConstituents: 8
  constituentVariables: [deta, dphi, logptrel]
model: {kind: deepsets, deepsets: {constituentLayers: [4], headLayers: [4]}}
training: {epochs: 1, batchSize: 64, seed: 1}
YAML
"$JETTAG" train --config tagger.yaml --out tagger --quiet
"$JETTAG" reweight train --config reweight.yaml --out reweight --quiet
cp tagger/model.h5 "$OUT/legacy-tagger.h5"
mkdir -p "$OUT/legacy-reweighting"
cp reweight/model.h5 reweight/reweighting.json "$OUT/legacy-reweighting/"
