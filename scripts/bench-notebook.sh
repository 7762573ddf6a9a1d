#!/usr/bin/env bash
# Benchmarks notebook assignments: submit → verdict (over the gateway's
# socket) for the word-statistics notebook against a .py assignment of the
# same code and tests, ROUNDS each (10 by default), alternating, after one
# warm-up of each; and a sandbox's whole run of a trivial job in the
# data-science image against the plain one: the first after the page cache is
# dropped (root only; else marked warm), then ROUNDS more. The API, a grader
# and the gateway run in one test process (a debug build), as the e2e suite
# runs them, against real Postgres, Redis and Docker. Prints the tables and
# writes them to BENCHMARKS.md between the notebook-benchmark markers. The
# CodeMirror page against the plain one is scripts/bench-page.sh.
#
#   scripts/bench-notebook.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-e2e-env.sh
bench_e2e_env bench-notebook 25438 26388
export BENCH_OUT=$dir/results.txt ROUNDS=${ROUNDS:-10}
rm -f "$BENCH_OUT"

cargo test --locked -q -p e2e --test notebook_bench -- --ignored --exact \
  bench_notebook_against_py_and_the_data_science_image --nocapture

table=$dir/notebook-table.md
python3 - "$BENCH_OUT" >"$table" <<'PY'
import statistics, sys
submit, start, first = {}, {}, {}
for line in open(sys.argv[1]):
    kind, label, ms, *rest = line.split()
    if kind == "submit":
        submit.setdefault(label, []).append(int(ms))
    elif kind == "start":
        start.setdefault(label, []).append(int(ms))
    else:
        first[label] = (int(ms), rest[0] if rest else "")
def p95(v):
    v = sorted(v)
    return v[min(len(v) - 1, round(0.95 * (len(v) - 1)))]
n = len(submit["nb"])
print(f"Submit → verdict on the learner's socket, {n} of each, alternating, one learner, one grader (2 slots); the same code and tests (word statistics, 8 tests) as a notebook and as a .py.")
print()
print("| hand-in | median ms | p95 ms |")
print("| --- | ---: | ---: |")
for label, name in (("py", ".py assignment"), ("nb", "notebook assignment")):
    print(f"| {name} | {statistics.median(submit[label]):.0f} | {p95(submit[label])} |")
print()
print(f"One trivial job's whole sandbox run (create, start, run, remove): the first in each image after the page cache was dropped, then {len(start['plain'])} more each, alternating.")
print()
print("| image | first, ms | then median / p95 ms |")
print("| --- | ---: | ---: |")
for label, name in (("plain", "python-runner"), ("ds", "python-ds-runner"), ("ds-pandas", "python-ds-runner, the job imports pandas")):
    ms, how = first[label]
    print(f"| {name} | {ms} ({how}) | {statistics.median(start[label]):.0f} / {p95(start[label])} |")
PY
cat "$table"
python3 scripts/bench-report.py section notebook "$table" "scripts/bench-notebook.sh"
