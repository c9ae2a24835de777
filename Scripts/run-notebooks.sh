#!/usr/bin/env bash
# Runs every ```sh block of every Markdown notebook in Notebooks-md/ (or of the notebooks named as arguments),
# in order, from the repository root, one bash session per notebook so that variables carry over between
# blocks. Stops at the first failing command and names the notebook and the block's first line.
# A notebook that needs the development data says so with a line `<!-- requires: PATH -->`; it is skipped,
# with a message, when PATH does not exist (a user's clone has no ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
notebooks=("$@")
[ ${#notebooks[@]} -gt 0 ] || notebooks=(Notebooks-md/*.md)
[ ${#notebooks[@]} -gt 0 ] || { echo "no notebooks in Notebooks-md/"; exit 0; }
export PATH="$PWD/.build/release:$PATH"
status=0
for notebook in "${notebooks[@]}"; do
  missing=""
  while read -r path; do
    [ -e "$path" ] || missing="$path"
  done < <(sed -n 's/^<!-- requires: \(.*\) -->$/\1/p' "$notebook")
  if [ -n "$missing" ]; then
    echo "== $notebook: skipped ($missing not found)"
    continue
  fi
  echo "== $notebook"
  script=$(mktemp)
  awk -v nb="$notebook" -v q="'" '
    function quoted(text) { gsub(q, q "\\" q q, text); return q text q }
    /^```sh[[:space:]]*$/ { inblock = 1; block++; shown = 0; next }
    /^```/ && inblock { inblock = 0; next }
    inblock {
      if (!shown) {
        shown = 1
        print "printf \"\\$ %s\\n\" " quoted($0)
        print "trap " quoted("printf \"FAILED: %s, block %d (%s): %s\\n\" " quoted(nb) " " block " " quoted($0) " \"$BASH_COMMAND\" >&2") " ERR"
      }
      print
    }' "$notebook" > "$script"
  if ! bash -eo pipefail "$script"; then status=1; rm -f "$script"; break; fi
  rm -f "$script"
done
exit $status
