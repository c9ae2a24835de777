#!/usr/bin/env bash
# JetNN benchmark: PFN, P-CNN, Particle Transformer and ParticleNet training and inference, JetTag vs PyTorch
# (torch==2.13.0), 1 and 2 threads.
#
#   Benchmarks/nn.sh            # from the package root; prints the table with ratios
#   MODELS="transformer particlenet" ROUNDS=1 Benchmarks/nn.sh   # some of pfn cnn transformer particlenet
#
# 1. Prepares the batches: a small Python step exports weaver's 7 particle features (pt_log, e_log, logptrel,
#    logerel, deltaR, deta, dphi; standardised over valid constituents) and the real multiplicities of the first
#    8192 jets of ../shared/data/top_qcd_dev.h5 (128 constituent slots) to a raw float32 cache under .build/
#    (gitignored), so both sides time the network alone on exactly the same inputs (reading is benchmarked by
#    Benchmarks/read.sh).
#    transformer and particlenet are the models of Configs/top-<model>.yaml, timed on a cache of that config's
#    features (`nn_torch.py export --config`: the transformer's unstandardised deta, dphi, pt_log for its pair
#    features), the first JETS_CONFIG jets of it (default 1024: they are ~50x slower per jet than the PFN), the
#    config's batchSize for training and INFER_CONFIG (default "64 256") for inference on both sides.
# 2. Builds jettag-bench in release the README's way (no -target-cpu native: what users build is what is measured).
# 3. Runs JetTag (`jettag-bench nn`) and PyTorch (`Benchmarks/nn_torch.py run`) with 1 and 2 threads each, and
#    prints the table. The two sides alternate ROUNDS times (the machine may be shared: alternating gives both the
#    same conditions); each figure is the best over all rounds of REPEATS windows of WINDOW seconds.
# 4. Appends the table, with date, CPU, OpenBLAS core and load, to Benchmarks/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/results.sh
WINDOW=${WINDOW:-2}
REPEATS=${REPEATS:-2}
THREADS=${THREADS:-"1 2"}
ROUNDS=${ROUNDS:-2}
MODELS=${MODELS:-"pfn cnn transformer particlenet"}
JETS_CONFIG=${JETS_CONFIG:-1024}
INFER_CONFIG=${INFER_CONFIG:-"64 256"}
out=.build/nn-bench
mkdir -p "$out"
cache="$out/top_qcd_dev_8192.bin"
[ -f "$cache" ] || python3 Benchmarks/nn_torch.py export "$cache" --input ../shared/data/top_qcd_dev.h5 --jets 8192 --slots 128
plain=() configured=()
for model in $MODELS; do
  case $model in
    pfn|cnn) plain+=("$model") ;;
    transformer|particlenet)
      configured+=("$model")
      config=Configs/top-$model.yaml
      [ "$out/top_qcd_dev_8192_$model.bin" -nt "$config" ] || python3 Benchmarks/nn_torch.py export \
        "$out/top_qcd_dev_8192_$model.bin" --config "$config" --input ../shared/data/top_qcd_dev.h5 --jets 8192 --slots 128 ;;
    *) echo "nn.sh: MODELS has '$model', expected pfn cnn transformer particlenet" >&2; exit 1 ;;
  esac
done
swift build -c release --product jettag-bench 2>&1 | tail -1
bin=$(swift build -c release --show-bin-path)/jettag-bench
results="$out/results-$(date -u +%Y%m%dT%H%M%S).jsonl"
results_start WINDOW REPEATS THREADS ROUNDS MODELS JETS_CONFIG INFER_CONFIG -- "$@"
echo "# $(date -u) | $(nproc) cores | load: $(cut -d' ' -f1-3 /proc/loadavg) | $(uname -m)" | tee "$results"
for t in $THREADS; do
  for _ in $(seq "$ROUNDS"); do
    if [ ${#plain[@]} -gt 0 ]; then
      OPENBLAS_NUM_THREADS=$t "$bin" nn --cache "$cache" --models "${plain[@]}" --threads "$t" --window "$WINDOW" \
        --repeats "$REPEATS" | tee -a "$results"
      OMP_NUM_THREADS=$t python3 Benchmarks/nn_torch.py run "$cache" --models "${plain[@]}" --threads "$t" \
        --window "$WINDOW" --repeats "$REPEATS" | tee -a "$results"
    fi
    for model in "${configured[@]}"; do
      config=Configs/top-$model.yaml
      batch=$(sed -n 's/^ *batchSize: *\([0-9]*\).*/\1/p' "$config")
      common=(--config "$config" --jets "$JETS_CONFIG" --train-batches "$batch" --threads "$t" --window "$WINDOW" --repeats "$REPEATS")
      # shellcheck disable=SC2086
      OPENBLAS_NUM_THREADS=$t "$bin" nn --cache "$out/top_qcd_dev_8192_$model.bin" "${common[@]}" \
        --inference-batches $INFER_CONFIG | tee -a "$results"
      # shellcheck disable=SC2086
      OMP_NUM_THREADS=$t python3 Benchmarks/nn_torch.py run "$out/top_qcd_dev_8192_$model.bin" "${common[@]}" \
        --inference-batches $INFER_CONFIG | tee -a "$results"
    done
  done
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$results"
python3 Benchmarks/nn_torch.py table "$results" | tee "$out/table.txt"
results_record "$out/table.txt"
