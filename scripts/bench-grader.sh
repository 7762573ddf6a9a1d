#!/usr/bin/env bash
# Benchmarks the grader against real Docker, Postgres and Redis and records
# the numbers in BENCHMARKS.md: the container floor, end-to-end latency from
# XADD to the published verdict, and throughput with 1 and 2 replicas.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
ensure_group core
scripts/build-runner-image.sh
dir=$PWD/.data/bench
scripts/services.sh start "$dir" 55434 56382
trap 'scripts/services.sh stop "$dir"' EXIT
set -a
# shellcheck disable=SC1091
source "$dir/env"
set +a
mkdir -p "$dir/results"
RUST_LOG=warn cargo run --release --locked -q -p grader --example bench | tee "$dir/results/grader.md"
python3 scripts/bench-report.py section grader "$dir/results/grader.md" "scripts/bench-grader.sh"
