#!/usr/bin/env bash
# Benchmarks the grader against real Docker, Postgres and Redis and records
# the numbers in BENCHMARKS.md: the container floor, the machine's limit
# without isolation (bare python3 -I running the greeting's tests, two at a
# time), and for both sandboxes side by side (docker: a container per run;
# pool: warm hosts, #22) end-to-end latency from XADD to the published
# verdict and throughput on a backlog of 200 with 1, 2 and 3 replicas;
# where PREV names a commit, the same for that release, built here from a
# git worktree with its own runner image (8253bbc is the last before the
# runner-fidelity work of #18).
#
#   scripts/bench-grader.sh                 # this tree, both sandboxes
#   PREV=8253bbc scripts/bench-grader.sh    # and an earlier release
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source scripts/deps.sh
ensure_group core
prev=${PREV-}
scripts/build-runner-image.sh
dir=$root/.data/bench
scripts/services.sh start "$dir" 25434 26382
image=codeplatform/python-runner
current=$(docker image inspect -f '{{.Id}}' "$image:latest")
cleanup() {
  # The earlier release's bench uses :latest; this tree's image gets it back.
  docker tag "$current" "$image:latest" >/dev/null 2>&1 || true
  if [[ -n $prev ]]; then git worktree remove --force "$dir/prev" >/dev/null 2>&1 || true; fi
  scripts/services.sh stop "$dir"
}
trap cleanup EXIT
set -a
# shellcheck disable=SC1091
source "$dir/env"
set +a
mkdir -p "$dir/results"

if [[ -n $prev ]]; then
  echo "bench-grader: building $prev (binary and runner image) for comparison" >&2
  git worktree remove --force "$dir/prev" >/dev/null 2>&1 || true
  git worktree add --detach "$dir/prev" "$prev" >/dev/null
  (cd "$dir/prev" && CARGO_TARGET_DIR=$dir/prev-target cargo build --release --locked -q -p grader --example bench)
  # Its runner's folder: runners/python since the runners had folders of
  # their own, grader/runner before.
  runner_dir=$dir/prev/runners/python
  [[ -d $runner_dir ]] || runner_dir=$dir/prev/grader/runner
  docker build -q -t "$image:prev" "$runner_dir" >/dev/null
fi

RUST_LOG=warn cargo run --release --locked -q -p grader --example bench | tee "$dir/results/grader-now.md"
if [[ -n $prev ]]; then
  docker tag "$image:prev" "$image:latest"
  (cd "$dir/prev" && RUST_LOG=warn "$dir/prev-target/release/examples/bench") | tee "$dir/results/grader-prev.md"
  docker tag "$current" "$image:latest"
fi
python3 scripts/bench-report.py grader-table "$dir/results" "$prev" \
  >"$dir/results/grader.md"
cat "$dir/results/grader.md"
python3 scripts/bench-report.py section grader "$dir/results/grader.md" "scripts/bench-grader.sh"

# Large arguments across the wire: the fidelity corpus's exercise 16 (a
# million ints and strings passed in and out) under plain Python and through
# the platform, this tree only.
export CODEPLATFORM_DOCKER=1 BENCH_OUT=$dir/results/wire.txt
cargo test --locked -q -p grader --test grading -- --ignored --exact \
  fidelity::bench_large_arguments_against_plain_python --nocapture >&2
python3 - "$BENCH_OUT" >"$dir/results/wire.md" <<'PY'
import statistics, sys
data = {}
for line in open(sys.argv[1]):
    kind, ms = line.split()
    data.setdefault(kind, []).append(int(ms))
n = len(data["plain"])
print(f"grader/tests/fidelity/16-large-arguments (four tests passing a million ints and a million short strings in and out, and a dict of 400,000 back), {n} runs each, alternating.")
print()
print("| run | median ms | min ms |")
print("| --- | ---: | ---: |")
for kind, name in (("plain", "plain `python3 -m unittest` (process start to exit)"),
                   ("platform", "the platform: a fresh container, the whole run, judged"),
                   ("runner", "… of which the runner, from its start to its report (`duration_ms`)")):
    print(f"| {name} | {statistics.median(data[kind]):.0f} | {min(data[kind])} |")
PY
cat "$dir/results/wire.md"
python3 scripts/bench-report.py section wire "$dir/results/wire.md" "scripts/bench-grader.sh"
