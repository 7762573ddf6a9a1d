#!/usr/bin/env bash
# Benchmarks a regrade beside a class (#21): does it slow the class down?
# A class of CLASS learners (60 by default) hands in the greeting,
# one every PACE_MS (500), first alone and then while a regrade of REGRADE
# (300) earlier submissions drains; prints each phase's median and p90
# submit → verdict, their ratio, and how long the regrade took to drain.
# The API, a grader (2 slots) and the gateway run in one test process (a
# debug build) against real Postgres, Redis and Docker. Writes the table to
# BENCHMARKS.md between the regrade-benchmark markers.
#
#   scripts/bench-regrade.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-e2e-env.sh
bench_e2e_env bench-regrade 25441 26391
export BENCH_OUT=$dir/results.txt
rm -f "$BENCH_OUT"

cargo test --locked -q -p e2e --test regrade_bench -- --ignored --exact \
  bench_a_regrade_beside_a_class --nocapture

table=$dir/regrade-table.md
python3 - "$BENCH_OUT" >"$table" <<'PY'
import statistics, sys
data = {}
for line in open(sys.argv[1]):
    label, value = line.split()
    data.setdefault(label, []).append(int(value))
def p90(v):
    v = sorted(v)
    return v[min(len(v) - 1, round(0.9 * (len(v) - 1)))]
alone, during = data["alone"], data["during"]
ratio = statistics.median(during) / statistics.median(alone)
print(f"A class of {len(alone)} learners, one submission every 500 ms (the greeting), one grader with 2 slots; "
      f"then the same while a regrade of {data['regraded'][0]} earlier submissions drains "
      "(scope all, keep_earned).")
print()
print("| | submit → verdict, median ms | p90 ms |")
print("| --- | ---: | ---: |")
print(f"| the class alone | {statistics.median(alone):.0f} | {p90(alone)} |")
print(f"| the class during the regrade | {statistics.median(during):.0f} | {p90(during)} |")
print()
print(f"During / alone (medians): **{ratio:.2f}×** (the bar: ≤ 1.5×). "
      f"The regrade of {data['regraded'][0]} drained in {data['drain'][0] / 1000:.1f} s "
      f"(the class's own window: {data['class_window'][0] / 1000:.1f} s).")
PY
cat "$table"
python3 scripts/bench-report.py section regrade "$table" "scripts/bench-regrade.sh"
