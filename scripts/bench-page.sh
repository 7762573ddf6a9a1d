#!/usr/bin/env bash
# Benchmarks the learner's page in headless Chromium: its load with the
# CodeMirror editor against the same page with the plain textarea (the UI
# served without ui/vendor), LOADS loads each (10 by default), every load in
# a fresh profile (nothing cached), alternating. The API runs in the test
# process (a debug build) against real Postgres and Redis. Prints the table
# and writes it to BENCHMARKS.md between the page-benchmark markers.
#
#   scripts/bench-page.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source scripts/deps.sh
ensure_group core
ensure_group browser
scripts/vendor-ui.sh

dir=$root/.data/bench-page
mkdir -p "$dir"
scripts/services.sh start "$dir" 25437 26387
trap 'scripts/services.sh stop "$dir" >/dev/null' EXIT
set -a
# shellcheck disable=SC1091
source "$dir/env"
set +a
export BENCH_OUT=$dir/loads.txt LOADS=${LOADS:-10}
export BENCH_COMMIT=${BENCH_COMMIT:-$(git rev-parse --short HEAD)}
rm -f "$BENCH_OUT"

cargo test --locked -q -p e2e --test editor -- --ignored --exact \
  bench_page_load_with_and_without_the_editor --nocapture

table=$dir/page-table.md
python3 - "$BENCH_OUT" >"$table" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, paint, load, size = line.split()
    rows.setdefault(label, []).append((float(paint), float(load), float(size)))
n = len(next(iter(rows.values())))
print(f"{n} loads of each page, alternating, each in a fresh Chromium profile (nothing cached), from the API on this machine (gzip on).")
print()
print("| page | first contentful paint, median ms | load event, median / max ms | bytes transferred |")
print("| --- | ---: | ---: | ---: |")
for label in ("codemirror", "textarea"):
    r = rows[label]
    paint = statistics.median(x[0] for x in r)
    load = [x[1] for x in r]
    size = statistics.median(x[2] for x in r)
    print(f"| {label} | {paint:.0f} | {statistics.median(load):.0f} / {max(load):.0f} | {size / 1024:.0f} KiB |")
PY
cat "$table"
python3 scripts/bench-report.py section page "$table" "scripts/bench-page.sh"
