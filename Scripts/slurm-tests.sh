#!/usr/bin/env bash
# The Slurm tests: the shipped templates in Configs/batch/ run as real jobs on the single-node Slurm of
# Scripts/slurm-local.sh (started here when it is not up), with the release build of jettag:
#   1. a 4-task array of `jettag predict` over 4 files, one of `reweight apply` and one of `evaluate`: every part
#      complete, nothing else left in the output directory, and `jettag merge` of the parts identical to one
#      unsharded run (h5diff of the data and h5dump of the attributes; the evaluation files byte for byte);
#   2. preemption: the training template stopped by SIGUSR1 (what `--signal=B:USR1@120` sends, delivered here at
#      once with `scancel --signal=USR1 --batch`) requeues itself, and stopped by SIGTERM through `scontrol requeue`
#      (what preemption sends) is requeued by Slurm; each time the requeued job resumes by itself and ends with the
#      parameters and optimizer state of an uninterrupted run, bit for bit;
#   3. the template's `mpirun -np 2 jettag train` on a 2-task allocation, when this jettag trains with MPI (its
#      `train --help` mentions MPI): the model equals the one-process run's.
# Without Slurm installed it says so and exits 0, except under CI=true (exit 1). About 2-3 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
JETTAG=${JETTAG:-$root/.build/release/jettag}
if ! command -v sbatch >/dev/null || ! command -v h5diff >/dev/null; then
  echo "slurm-tests: Slurm or the HDF5 tools are not installed (Scripts/install-deps.sh --slurm)" >&2
  [ "${CI:-}" = true ] && exit 1
  echo "slurm-tests: skipped" >&2
  exit 0
fi
[ -x "$JETTAG" ] || swift build -c release --product jettag
eval "$(Scripts/slurm-local.sh start)"
export SLURM_CONF JETTAG
work=$(mktemp -d /tmp/jettag-slurm-tests.XXXXXX)
trap 'rm -rf "$work"' EXIT
started=$(date +%s)
failures=0
pass() { echo "ok   $* ($(($(date +%s) - started)) s)"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# The state of job $1 (PENDING, RUNNING, COMPLETED, FAILED, ...) and its restart count.
job_state() { scontrol show job "$1" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }
restarts() { scontrol show job "$1" | grep -o 'Restarts=[0-9]*' | cut -d= -f2; }
# Waits (up to $2 s) until job $1 has ended; prints its last state.
wait_job() {
  local state
  for _ in $(seq "$(($2 * 5))"); do
    state=$(job_state "$1")
    case $state in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) break ;; esac
    sleep 0.2
  done
  echo "$state"
}
# Whether two HDF5 files hold the same datasets and the same attributes.
same_h5() {
  h5diff -q "$1" "$2" && diff <(h5dump -A "$1" | tail -n +2) <(h5dump -A "$2" | tail -n +2) >/dev/null
}
# Whether two HDF5 files hold the same datasets, bit for bit (model files: parameters, BatchNorm statistics and
# optimizer moments; their attributes differ by the timings in the training history).
same_datasets() {
  local names dataset
  names=$(h5ls -r "$1" | awk '$2 == "Dataset" { print $1 }')
  [ -n "$names" ] && [ "$names" = "$(h5ls -r "$2" | awk '$2 == "Dataset" { print $1 }')" ] || return 1
  for dataset in $names; do h5diff -q "$1" "$2" "$dataset" "$dataset" >/dev/null || return 1; done
}

# --- inputs: 4 copies of the shipped sample (7400 jets each), a tagger and a reweighter trained on it
mkdir -p "$work/data"
for name in a b c d; do cp Datasets/top_qcd_sample.h5 "$work/data/$name.h5"; done
printf '%s\n' "# the inputs, in order" "$work"/data/{a,b,c,d}.h5 >"$work/files.txt"
"$JETTAG" train --config Configs/quickstart.yaml --out "$work/tagger" --quiet --no-report \
  --set training.epochs=1 --set features.maxConstituents=32
cat >"$work/reweight.yaml" <<EOF
source: {files: [$work/data/a.h5]}
target: {files: [$work/data/b.h5]}
reweighting: {modulus: 4, trainingFolds: [0], validationFolds: [1], heldOutFolds: [2, 3]}
features: {maxConstituents: 32, constituentVariables: [deta, dphi, logptrel], jetVariables: [multiplicity, width, ptd]}
model: {kind: mlp, mlp: {hiddenLayers: [16]}}
training: {batchSize: 256, epochs: 1, seed: 1}
EOF
"$JETTAG" reweight train --config "$work/reweight.yaml" --out "$work/reweighter" --quiet
mapfile -t inputs < <(grep -v '^#' "$work/files.txt")

# --- 1. arrays
array() { # COMMAND OUT [jettag arguments]
  local command=$1 out=$2
  shift 2
  COMMAND=$command MODEL=$model FILE_LIST=$work/files.txt OUT=$out \
    sbatch --wait --quiet --output="$work/array-%A_%a.out" Configs/batch/predict-array.sbatch "$@"
}
model=$work/tagger/model.h5
if array predict "$work/scores"; then
  "$JETTAG" predict --model "$model" "${inputs[@]}" --out "$work/scores-whole.h5"
  "$JETTAG" merge --out "$work/scores-merged.h5" "$work"/scores/part_*.h5
  if [ "$(ls "$work/scores")" = "$(printf 'part_%s.h5\n' 0 1 2 3)" ] \
    && same_h5 "$work/scores-merged.h5" "$work/scores-whole.h5"; then
    pass "predict array of 4 tasks over 4 files, merged = unsharded"
  else fail "predict array: parts $(ls "$work/scores" | tr '\n' ' '), or merged != unsharded"; fi
else fail "predict array: a task failed: $(cat "$work"/array-*.out)"; fi

model=$work/reweighter/model.h5
if array "reweight apply" "$work/weights" --quiet; then
  "$JETTAG" reweight apply --model "$model" "${inputs[@]}" --out "$work/weights-whole.h5" --quiet
  "$JETTAG" merge --out "$work/weights-merged.h5" "$work"/weights/part_*.h5
  if [ "$(ls "$work/weights" | wc -l)" = 4 ] && same_h5 "$work/weights-merged.h5" "$work/weights-whole.h5"; then
    pass "reweight apply array of 4 tasks, merged = unsharded"
  else fail "reweight apply array: merged != unsharded"; fi
else fail "reweight apply array: a task failed: $(cat "$work"/array-*.out)"; fi

model=$work/tagger/model.h5
if array evaluate "$work/evaluation" --split validation; then
  "$JETTAG" evaluate --model "$model" "${inputs[@]}" --split validation --out "$work/evaluation-whole" --no-report \
    >/dev/null
  "$JETTAG" merge --out "$work/evaluation-merged" "$work"/evaluation/part_*/evaluation_part.h5
  if diff -r "$work/evaluation-merged" "$work/evaluation-whole" >/dev/null; then
    pass "evaluate array of 4 tasks, merged metrics.json, roc.csv, histograms = unsharded"
  else fail "evaluate array: $(diff -r "$work/evaluation-merged" "$work/evaluation-whole" | head -5)"; fi
else fail "evaluate array: a task failed: $(cat "$work"/array-*.out)"; fi

# --- 2. preemption and requeue
training=(--set training.epochs=4 --set training.patience=10 --set features.maxConstituents=32 --no-report)
"$JETTAG" train --config Configs/quickstart.yaml --out "$work/reference" --quiet "${training[@]}"
preempt() { # NAME HOW: submits the template, stops it after its first epoch the way HOW says, checks the end
  local name=$1 how=$2 job state
  job=$(CONFIG=Configs/quickstart.yaml RUN=$work/$name LAUNCH=none \
    sbatch --parsable --ntasks=1 --output="$work/$name.out" Configs/batch/train-mpi.sbatch "${training[@]}")
  for _ in $(seq 600); do
    [ -s "$work/$name/history.csv" ] && [ "$(wc -l <"$work/$name/history.csv")" -ge 2 ] && break
    sleep 0.1
  done
  case $how in
    usr1) scancel --batch --signal=USR1 "$job" ;;
    term) scontrol requeue "$job" ;;
  esac
  state=$(wait_job "$job" 240)
  local log
  log=$(cat "$work/$name.out")
  if [ "$state" = COMPLETED ] && [ "$(restarts "$job")" = 1 ] && grep -q "checkpoint written" <<<"$log" \
    && grep -q "resuming the run in" <<<"$log" \
    && same_datasets "$work/$name/last.h5" "$work/reference/last.h5" \
    && same_datasets "$work/$name/model.h5" "$work/reference/model.h5"
  then
    pass "training stopped by $how mid-run, requeued, resumed: model and optimizer state = uninterrupted run"
  else
    fail "training stopped by $how: state $state, restarts $(restarts "$job"); log:"$'\n'"$log"
    h5diff "$work/$name/last.h5" "$work/reference/last.h5" | head -5 || true
  fi
}
preempt usr1 usr1
preempt term term

# --- 3. MPI training on the allocation
if command -v mpirun >/dev/null && "$JETTAG" train --help | grep -qw MPI; then
  shards=(--set training.dataShards=2)
  "$JETTAG" train --config Configs/quickstart.yaml --out "$work/mpi-reference" --quiet "${training[@]}" "${shards[@]}"
  if OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 MPIRUN_FLAGS=--oversubscribe \
    CONFIG=Configs/quickstart.yaml RUN=$work/mpi LAUNCH=mpirun OPENBLAS_NUM_THREADS=1 \
    sbatch --wait --quiet --ntasks=2 --output="$work/mpi.out" Configs/batch/train-mpi.sbatch \
    "${training[@]}" "${shards[@]}" && same_datasets "$work/mpi/model.h5" "$work/mpi-reference/model.h5"; then
    pass "sbatch --ntasks=2: mpirun -np 2 jettag train = one-process run"
  else fail "mpirun -np 2 under sbatch: $(cat "$work/mpi.out")"; fi
else
  echo "skip mpirun -np 2 jettag train under sbatch: this jettag does not train with MPI (train --help)"
fi

echo "slurm-tests: $failures failed, $(($(date +%s) - started)) s"
[ "$failures" = 0 ]
