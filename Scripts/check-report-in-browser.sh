#!/usr/bin/env bash
# Opens a JetTag HTML report in headless Chromium and checks that a real browser shows it:
#   1. the page logs nothing to the console (the report has no scripts, so any CONSOLE line is a failure:
#      a script error, a blocked or missing resource reported by the page);
#   2. the DOM Chromium builds has as many inline <svg> plots as the file, and the file refers to nothing
#      outside itself (no src= or href= to other files or the network);
#   3. the screenshot is not blank (ImageMagick: more than 16 colours and a grey-level spread above 0.02).
# Usage: Scripts/check-report-in-browser.sh REPORT.html [SCREENSHOT.png] (default REPORT.png next to it).
# Needs Debian's chromium and imagemagick (apt-get install -y chromium imagemagick).
set -euo pipefail
report=${1:?usage: $0 REPORT.html [SCREENSHOT.png]}
[ -f "$report" ] || { echo "no such file: $report" >&2; exit 2; }
screenshot=${2:-${report%.html}.png}
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "chromium not found (apt-get install -y chromium)" >&2; exit 2; }
magick=/usr/bin/convert
[ -x "$magick" ] || { echo "ImageMagick not found (apt-get install -y imagemagick)" >&2; exit 2; }
url="file://$(realpath "$report")"
log=$(mktemp)
dom=$(mktemp)
trap 'rm -f "$log" "$dom"' EXIT
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --enable-logging=stderr --v=0)

timeout 120 "$browser" "${flags[@]}" --window-size=1280,2400 --screenshot="$screenshot" "$url" 2>"$log" >/dev/null
timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" 2>>"$log" >"$dom"

status=0
if grep -q "CONSOLE" "$log"; then
  echo "FAIL: the page logged to the console:" >&2
  grep "CONSOLE" "$log" >&2
  status=1
fi
expected=$( (grep -o "<svg " "$report" || true) | wc -l)
rendered=$( (grep -o "<svg " "$dom" || true) | wc -l)
if [ "$expected" -eq 0 ] || [ "$rendered" -ne "$expected" ]; then
  echo "FAIL: the file has $expected inline <svg> plots, the browser's DOM $rendered" >&2
  status=1
fi
if grep -Eq '(src|href)="[^#"]' "$report"; then
  echo "FAIL: the page refers to other files or the network:" >&2
  grep -Eo '(src|href)="[^#"][^"]*"' "$report" | sort -u | head >&2
  status=1
fi
[ -s "$screenshot" ] || { echo "FAIL: no screenshot written" >&2; exit 1; }
read -r colours spread < <("$magick" "$screenshot" -format "%k %[fx:standard_deviation]\n" info:)
if [ "$colours" -le 16 ] || awk -v s="$spread" 'BEGIN { exit !(s <= 0.02) }'; then
  echo "FAIL: the screenshot $screenshot looks blank ($colours colours, grey spread $spread)" >&2
  status=1
fi
[ $status -eq 0 ] && echo "OK: $report: $rendered plots in the DOM, no console output, screenshot $screenshot ($colours colours, spread $spread)"
exit $status
