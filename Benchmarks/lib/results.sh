# Appends a benchmark run to Benchmarks/RESULTS.md: a `## <benchmark> — <date>` heading, the run's time, the CPU,
# the OpenBLAS core (of a plain program, and the one JetTag runs), the load average at the start and at the end, the commit and the command line, then the table
# the benchmark printed. Sourced by the Benchmarks/*.sh scripts:
#
#   source Benchmarks/lib/results.sh      # from the package root
#   results_start VAR... -- "$@"          # at the start: the time, the load and the command line (the values of
#                                         # the VARs that configure the script, its name, its arguments)
#   print_the_table | tee "$table"        # the table, printed and kept in a file, then after it succeeded:
#   results_record "$table"               # appends the section
#
# RESULTS_FILE overrides the file written (default: Benchmarks/RESULTS.md).

RESULTS_FILE=${RESULTS_FILE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/RESULTS.md}

# The current 1-minute load average.
results_load() { cut -d' ' -f1 /proc/loadavg; }

# The CPU model as lscpu names it.
results_cpu() {
  local model
  model=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
  echo "${model:-unknown} ($(nproc) cores online)"
}

# The core OpenBLAS picks on this machine and its build configuration, from a small C program compiled on the
# fly; "unknown" without a C compiler or OpenBLAS.
results_openblas_core() {
  local dir
  dir=$(mktemp -d)
  cat > "$dir/core.c" <<'C'
#include <stdio.h>
char *openblas_get_corename(void);
char *openblas_get_config(void);
int main(void) { printf("%s (%s)\n", openblas_get_corename(), openblas_get_config()); return 0; }
C
  if cc "$dir/core.c" -o "$dir/core" -lopenblas 2>/dev/null && "$dir/core" 2>/dev/null; then :; else echo unknown; fi
  rm -rf "$dir"
}

# The kernel JetTag's own BLAS start-up runs on this machine (`jettag doctor`'s "Kernel in use": it re-executes
# with OPENBLAS_CORETYPE set where OpenBLAS alone would pick a generic kernel, so this can differ from the core
# above); "no release build" without one.
results_jettag_kernel() {
  local bin
  bin=$(swift build -c release --show-bin-path 2>/dev/null)/jettag
  [ -x "$bin" ] || { echo "no release build"; return; }
  "$bin" doctor 2>/dev/null | sed -n 's/^Kernel in use: *//p' | head -n 1
}

# The commit the benchmark ran on, marked when the work tree has uncommitted changes.
results_commit() {
  local commit
  commit=$(git rev-parse --short HEAD 2>/dev/null) || { echo unknown; return; }
  git diff --quiet HEAD -- . ':(exclude)Benchmarks/RESULTS.md' 2>/dev/null || commit="$commit with uncommitted changes"
  echo "$commit"
}

# A word quoted for the shell when it needs it.
results_quote() {
  if [[ "$1" =~ ^[A-Za-z0-9_./=:,+-]+$ ]]; then printf '%s' "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}

# Remembers the start: time, load and the command line, from the names of the variables that configure the
# script (their values now, defaults filled in; empty or unset ones are left out), then `--` and the script's
# arguments.
results_start() {
  RESULTS_STARTED=$(date -u +%s)
  RESULTS_LOAD_START=$(results_load)
  local words=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    [ -n "${!1-}" ] && words+=("$1=$(results_quote "${!1}")")
    shift
  done
  [ $# -gt 0 ] && shift
  words+=("Benchmarks/$(basename "$0")")
  while [ $# -gt 0 ]; do words+=("$(results_quote "$1")"); shift; done
  RESULTS_COMMAND="${words[*]}"
}

# Appends the table in the file $1 to RESULTS_FILE as one section.
results_record() {
  local table
  table=$(cat "$1")
  {
    printf '\n## %s — %s\n\n' "$(basename "$0")" "$(date -u -d "@$RESULTS_STARTED" +%Y-%m-%d)"
    printf -- '- Time: %s-%s UTC\n' "$(date -u -d "@$RESULTS_STARTED" +%H:%M)" "$(date -u +%H:%M)"
    printf -- '- CPU: %s\n' "$(results_cpu)"
    printf -- '- OpenBLAS core: %s\n' "$(results_openblas_core)"
    printf -- "- JetTag's BLAS kernel: %s\n" "$(results_jettag_kernel)"
    printf -- '- Load average: %s at the start, %s at the end\n' "$RESULTS_LOAD_START" "$(results_load)"
    printf -- '- Code: commit %s\n' "$(results_commit)"
    printf -- '- Command: `%s`\n\n' "$RESULTS_COMMAND"
    printf '```text\n%s\n```\n' "$table"
  } >> "$RESULTS_FILE"
  echo "(appended to $RESULTS_FILE)" >&2
}
