#!/usr/bin/env bash
# Benchmarks codeplatform inside an LMS (LTI 1.3), against PyPI's
# lti1p3platform behind FastAPI (testkit/lms), ROUNDS learners (30 by
# default) after one warm-up, each new: a launch's time to the first page in
# Chromium (the LMS's button to the assignment's title) and the same
# exchanges over plain HTTP, and the passback's delay from the pass's verdict
# (graded_at) to the score in the LMS's gradebook (its received_at), with the
# outbox looked at every second (LTI_SEND_INTERVAL_MS's default). The API, a
# grader and the gateway run in one test process (a debug build), as the e2e
# suite runs them, against real Postgres, Redis and Docker. Prints the table
# and writes it to BENCHMARKS.md between the lti-benchmark markers.
#
#   scripts/bench-lti.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-e2e-env.sh
bench_e2e_env bench-lti 25437 26387 browser lms
export BENCH_OUT=$dir/results.txt ROUNDS=${ROUNDS:-30}
rm -f "$BENCH_OUT"
scripts/vendor-ui.sh

cargo test --locked -q -p e2e --test lti_bench -- --ignored --exact \
  bench_launch_and_passback --nocapture

table=$dir/lti-table.md
python3 - "$BENCH_OUT" >"$table" <<'PY'
import statistics, sys
data = {}
for line in open(sys.argv[1]):
    metric, ms = line.split()
    data.setdefault(metric, []).append(int(ms))
def p95(v):
    v = sorted(v)
    return v[min(len(v) - 1, round(0.95 * (len(v) - 1)))]
n = len(data["launch"])
print(f"{n} learners, each launched for the first time (a new learner made), one grader (2 slots), the LMS on loopback.")
print()
print("| what | median ms | p95 ms | max ms |")
print("| --- | ---: | ---: | ---: |")
names = {"launch": "a launch, to the first page (Chromium: the LMS's button → the assignment's title)",
         "chain": "the same exchanges over plain HTTP (login, authorisation, launch, landing page)",
         "passback": "passback: the pass's `graded_at` → the score in the LMS (outbox looked at every 1 s)"}
for metric, name in names.items():
    v = data[metric]
    print(f"| {name} | {statistics.median(v):.0f} | {p95(v)} | {max(v)} |")
PY
cat "$table"
python3 scripts/bench-report.py section lti "$table" "scripts/bench-lti.sh"
