#!/usr/bin/env bash
# Benchmarks the platform under abuse in one run: the same API, grader and
# gateway, built from this tree and from PREV (a commit: by default the last
# one before the request-body hardening; b10324a is the last before the
# client limits and fair grading), each
# against a fresh database and Redis prefix, attacked by scripts/abuse-driver.py:
#
#   - 6,000 idle keep-alive connections, from one address and spread over six:
#     the API's memory before, with them, once idle, and after they close;
#   - 200 connections each announcing a 1 MiB submission and sending half:
#     the API's memory, what each got back, and when the last was closed;
#   - one socket sending pings (125-byte payloads) without reading: the
#     gateway's memory;
#   - 30 learners from one address submitting `while True: pass`, then an
#     honest learner from another: how long the honest one waits.
#
# Defaults everywhere (this tree's limits as an operator gets them). Records
# the table in BENCHMARKS.md.
#
#   scripts/bench-abuse.sh            # this tree, then PREV
#   PREV= scripts/bench-abuse.sh      # this tree only
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source scripts/deps.sh
ensure_group core
scripts/build-runner-image.sh
prev=${PREV-8253bbc}
connections=${CONNECTIONS:-6000}

dir=$root/.data/bench
out=$dir/results
mkdir -p "$out"
scripts/services.sh start "$dir" 25434 26382
set -a
# shellcheck disable=SC1091
source "$dir/env"
set +a
base_database=$DATABASE_URL
export TOKEN_SECRET=bench-secret-bench-secret-bench-secret RUST_LOG=warn
# COURSE_DIR is the one course releases before courses/ read (PREV).
export COURSES_DIR=$root/courses COURSE_DIR=$root/courses/intro UI_DIR=$root/ui GRADER_SANDBOX=docker
export API_ADDR=127.0.0.1:18080 WS_ADDR=127.0.0.1:18081 WS_ADMIN_ADDR=127.0.0.1:19101 GRADER_METRICS_ADDR=127.0.0.1:19100
# The driver holds every connection itself; the services get the same room.
ulimit -n "$(ulimit -Hn)"

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_all
  if [[ -n $prev ]]; then git worktree remove --force "$dir/abuse-prev" >/dev/null 2>&1 || true; fi
  scripts/services.sh stop "$dir"
}
trap cleanup EXIT

cargo build --release --locked -q -p programming-api -p grader -p websocket
if [[ -n $prev ]]; then
  echo "bench-abuse: building $prev for comparison" >&2
  git worktree remove --force "$dir/abuse-prev" >/dev/null 2>&1 || true
  git worktree add --detach "$dir/abuse-prev" "$prev" >/dev/null
  (cd "$dir/abuse-prev" && CARGO_TARGET_DIR=$dir/prev-target cargo build --release --locked -q \
    -p programming-api -p grader -p websocket)
fi

run() { # $1 = label, $2 = the folder of its three binaries
  local label=$1 bin=$2 db
  db=abuse_${label}_$(date +%s)
  psql "$base_database" -qc "CREATE DATABASE $db"
  DATABASE_URL=${base_database%/*}/$db REDIS_PREFIX="$db:" "$bin/programming-api" &
  local api=$!
  pids+=("$api")
  DATABASE_URL=${base_database%/*}/$db REDIS_PREFIX="$db:" "$bin/grader" &
  pids+=($!)
  DATABASE_URL=${base_database%/*}/$db REDIS_PREFIX="$db:" "$bin/websocket" &
  local gateway=$!
  pids+=("$gateway")
  for _ in $(seq 150); do
    curl -fs "http://$API_ADDR/readyz" >/dev/null && curl -fs "http://$WS_ADMIN_ADDR/readyz" >/dev/null \
      && curl -fs "http://$GRADER_METRICS_ADDR/healthz" >/dev/null && break
    sleep 0.2
  done
  local results=$out/abuse-$label.jsonl
  : >"$results"
  echo "== $label: $connections idle connections from one address" >&2
  python3 scripts/abuse-driver.py idle "http://$API_ADDR" "$api" "$connections" 127.0.0.1 | tee -a "$results"
  echo "== $label: $connections idle connections from six addresses" >&2
  python3 scripts/abuse-driver.py idle "http://$API_ADDR" "$api" "$connections" \
    127.0.0.11,127.0.0.12,127.0.0.13,127.0.0.14,127.0.0.15,127.0.0.16 | tee -a "$results"
  echo "== $label: 200 half-sent 1 MiB bodies" >&2
  python3 scripts/abuse-driver.py halfbody "http://$API_ADDR" "$api" 200 | tee -a "$results"
  echo "== $label: a ping flood on one socket" >&2
  python3 scripts/abuse-driver.py pingflood "ws://$WS_ADDR/ws" "$gateway" "$TOKEN_SECRET" | tee -a "$results"
  echo "== $label: 30 looping jobs from one address, then an honest learner" >&2
  python3 scripts/abuse-driver.py flood "http://$API_ADDR" | tee -a "$results"
  stop_all
}

run now "$root/target/release"
if [[ -n $prev ]]; then run prev "$dir/prev-target/release"; fi

python3 - "$out" "$prev" >"$out/abuse.md" <<'PY'
import json, sys
from pathlib import Path
out, prev = Path(sys.argv[1]), sys.argv[2]
def load(label):
    path = out / f"abuse-{label}.jsonl"
    if not path.exists():
        return None
    one, spread, half, ping, flood = [json.loads(l) for l in path.read_text().splitlines() if l.strip()]
    return one, spread, half, ping, flood
def mib(x): return f"{x:.0f} MiB"
def rows(r):
    one, spread, half, ping, flood = r
    answered = ", ".join(f"{n} × {code}" for code, n in sorted(half["answers"].items())) or "none"
    closed = lambda d: f"{d['closed_by_server']} of {d['held']}"
    return [
        ("honest learner's submit → verdict behind 30 looping jobs from one address",
         f"{flood['honest_wait_s']:.1f} s" if flood['honest_wait_s'] is not None else "not within 300 s"),
        ("the flood drained after", f"{flood['flood_drained_s']:.0f} s" if flood['flood_drained_s'] else "not within 400 s"),
        ("6,000 idle connections from one address: held / refused", f"{one['held']} / {one['refused']}"),
        ("… API memory before / with them / after they close",
         f"{mib(one['before_mib'])} / {mib(one['open_mib'])} / {mib(one['after_mib'])}"),
        ("6,000 idle connections from six addresses: held / refused", f"{spread['held']} / {spread['refused']}"),
        ("… API memory before / with them / idle 13 s / after they close",
         f"{mib(spread['before_mib'])} / {mib(spread['open_mib'])} / {mib(spread['idle_13s_mib'])} / {mib(spread['after_mib'])}"),
        ("… closed by the API after 13 s idle", closed(spread)),
        ("200 half-sent 1 MiB bodies: API memory before / with them / after",
         f"{mib(half['before_mib'])} / {mib(half['during_mib'])} / {mib(half['after_mib'])}"),
        ("… what they got back (none: closed without an answer)", answered),
        ("… the last closed by the API after",
         f"{half['last_closed_s']:.1f} s" if not half["still_open_at_20s"]
         else f"{half['still_open_at_20s']} still open at 20 s"),
        ("ping flood, one socket never reading: gateway memory before / peak / 3 s after",
         f"{mib(ping['before_mib'])} / {mib(ping['peak_mib'])} / {mib(ping['after_mib'])}"),
        ("… the gateway closed the socket after",
         f"{ping['closed_after_s'] * 1000:.0f} ms" if ping['closed_after_s'] is not None
         else f"never: the driver stopped at {ping['flooded_s']:.1f} s (it stops at 400 MiB or 5 s)"),
    ]
now, before = load("now"), load("prev")
if before:
    print(f"| measure | this tree | {prev} |")
    print("| --- | ---: | ---: |")
    for (k, v), (_, b) in zip(rows(now), rows(before)):
        print(f"| {k} | {v} | {b} |")
else:
    print("| measure | this tree |")
    print("| --- | ---: |")
    for k, v in rows(now):
        print(f"| {k} | {v} |")
PY
cat "$out/abuse.md"
python3 scripts/bench-report.py section abuse "$out/abuse.md" "scripts/bench-abuse.sh"
