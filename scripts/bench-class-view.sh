#!/usr/bin/env bash
# Benchmarks the live class view: the delay from a verdict (the grader's
# write of it) to its row on a staff page open in headless Chromium, over
# SUBMISSIONS submissions (30 by default) sent one after another by as many
# learners. The API, a grader and the gateway run in one test process, as the
# e2e suite runs them (a debug build), against real Postgres, Redis and
# Docker. Prints the table and writes it to BENCHMARKS.md between the
# class-view-benchmark markers.
#
#   scripts/bench-class-view.sh
#   SUBMISSIONS=100 scripts/bench-class-view.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-e2e-env.sh
bench_e2e_env bench-class 25436 26386 browser
export BENCH_OUT=$dir/delays.txt SUBMISSIONS=${SUBMISSIONS:-30}
rm -f "$BENCH_OUT"

cargo test --locked -q -p e2e --test staff_pages -- --ignored --exact bench_verdict_to_staff_page \
  --nocapture

pct() { sort -n | awk -v p="$1" '{ v[NR] = $1 } END { i = int((NR - 1) * p + 0.5) + 1; printf "%.0f", v[i] }'; }
table=$dir/class-view-table.md
{
  echo "$(wc -l <"$BENCH_OUT") submissions, one at a time, each from a new learner, while one staff page is open in headless Chromium."
  echo
  echo "| verdict written → its row on the staff page | ms |"
  echo "| --- | ---: |"
  echo "| median | $(pct 0.5 <"$BENCH_OUT") |"
  echo "| p95 | $(pct 0.95 <"$BENCH_OUT") |"
  echo "| max | $(pct 1.0 <"$BENCH_OUT") |"
} >"$table"
cat "$table"
python3 scripts/bench-report.py section class-view "$table" "scripts/bench-class-view.sh"
