#!/usr/bin/env bash
# Benchmarks programming-api: k6 browse and submit runs, the same read with
# the query cache off, and the machine's HTTP ceiling (wrk against the API
# and against nginx serving the same JSON from a file). Prints the numbers
# and writes them to BENCHMARKS.md between the api-benchmark markers.
#
#   scripts/bench-api.sh            # 30 s per k6 run
#   DURATION=10s scripts/bench-api.sh
#   PREV=43fd042 scripts/bench-api.sh   # then the k6 runs and the cached wrk
#                                       # against that commit too, side by side
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source scripts/deps.sh
ensure_group core
ensure_group bench
k6=$(k6_bin)

duration=${DURATION:-30s}
dir=$root/.data/bench
out=$dir/results
api_port=18080
nginx_port=18090
scripts/services.sh start "$dir" 25434 26382
set -a
# shellcheck disable=SC1091
source "$dir/env"
set +a
mkdir -p "$out"

# A fresh database per run, so every run inserts into the same starting state.
db=bench_$(date +%s)
psql "$DATABASE_URL" -qc "CREATE DATABASE $db"
export DATABASE_URL=${DATABASE_URL%/*}/$db
# The load comes from one address: the per-client limits would measure themselves.
export RATE_NEW_LEARNERS=1000000/s RATE_SUBMISSIONS_PER_LEARNER=1000000/s RATE_SUBMISSIONS_PER_ADDRESS=1000000/s QUEUE_LIMIT=1000000
export REDIS_PREFIX="$db:" TOKEN_SECRET=bench-secret-bench-secret-bench-secret
export COURSES_DIR=$root/courses UI_DIR=$root/ui RUST_LOG=warn

cargo build --release --locked -p programming-api

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
prev=${PREV-}
trap 'cleanup; [[ -z $prev ]] || git worktree remove --force "$dir/prev-api" >/dev/null 2>&1; scripts/services.sh stop "$dir"' EXIT

api_bin=target/release/programming-api
start_api() { # $1 = QUERY_CACHE on|off
  QUERY_CACHE=$1 API_ADDR=127.0.0.1:$api_port "$api_bin" &
  api_pid=$!
  pids+=("$api_pid")
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$api_port/readyz" >/dev/null && return
    sleep 0.1
  done
  echo "the API did not become ready" >&2
  exit 1
}
stop_api() { kill -TERM "$api_pid"; wait "$api_pid" || true; }

start_api on
base=http://127.0.0.1:$api_port
first_id=$(curl -fs "$base/api/assignments" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')

# CPU seconds a process has used, from /proc (utime + stime).
cpu_secs() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
redis_pid=$(cat "$dir/redis.pid")

echo "== k6 browse (100 VUs, $duration)"
api_cpu0=$(cpu_secs "$api_pid"); redis_cpu0=$(cpu_secs "$redis_pid"); wall0=$(date +%s.%N)
"$k6" run -q -e BASE_URL="$base" -e DURATION="$duration" --summary-export "$out/browse.json" k6/browse.js || true
python3 - "$api_cpu0" "$(cpu_secs "$api_pid")" "$redis_cpu0" "$(cpu_secs "$redis_pid")" "$wall0" "$(date +%s.%N)" >"$out/browse-cpu.txt" <<'PY'
import sys
a0, a1, r0, r1, w0, w1 = map(float, sys.argv[1:])
wall = w1 - w0
print(f"During the k6 browse run ({wall:.0f} s, so {2 * wall:.0f} core-seconds on this machine): "
      f"programming-api used {a1 - a0:.0f} core-s ({(a1 - a0) / wall:.2f} cores), Redis {r1 - r0:.0f} core-s "
      f"({(r1 - r0) / wall:.2f} cores); k6 and the kernel had the rest, about {(2 * wall - (a1 - a0) - (r1 - r0)) / wall:.2f} cores.")
PY
cat "$out/browse-cpu.txt"
echo "== k6 submit (50 VUs, $duration)"
"$k6" run -q -e BASE_URL="$base" -e DURATION="$duration" --summary-export "$out/submit.json" k6/submit.js || true

echo "== wrk against the API, cached"
wrk -t1 -c100 -d15s --latency "$base/api/assignments/$first_id" | tee "$out/wrk-cached.txt"
stop_api
start_api off
echo "== wrk against the API, cache off"
wrk -t1 -c100 -d15s --latency "$base/api/assignments/$first_id" | tee "$out/wrk-uncached.txt"
stop_api

echo "== wrk against nginx serving the same JSON"
ndir=$dir/nginx
mkdir -p "$ndir/www/api/assignments"
curl -fs "$base/api/assignments/$first_id" -o /dev/null 2>/dev/null || true
start_api on
curl -fs "$base/api/assignments/$first_id" >"$ndir/www/api/assignments/$first_id"
stop_api
cat >"$ndir/nginx.conf" <<CONF
worker_processes 1;
pid $ndir/nginx.pid;
error_log $ndir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  server { listen 127.0.0.1:$nginx_port; root $ndir/www; }
}
CONF
nginx -c "$ndir/nginx.conf" -p "$ndir"
sleep 0.5
wrk -t1 -c100 -d15s --latency "http://127.0.0.1:$nginx_port/api/assignments/$first_id" | tee "$out/wrk-nginx.txt"
kill -TERM "$(cat "$ndir/nginx.pid")"

# The same load against an earlier release, right after this tree's: its
# binary built from a git worktree, its courses, a database of its own.
rm -rf "$out/prev"
if [[ -n $prev ]]; then
  mkdir -p "$out/prev"
  git worktree remove --force "$dir/prev-api" >/dev/null 2>&1 || true
  git worktree add --detach "$dir/prev-api" "$prev" >/dev/null
  (cd "$dir/prev-api" && CARGO_TARGET_DIR=$dir/prev-api-target cargo build --release --locked -q -p programming-api)
  psql "$DATABASE_URL" -qc "CREATE DATABASE ${db}_prev"
  export DATABASE_URL=${DATABASE_URL%/*}/${db}_prev REDIS_PREFIX="${db}_prev:"
  export COURSES_DIR=$dir/prev-api/courses UI_DIR=$dir/prev-api/ui
  api_bin=$dir/prev-api-target/release/programming-api
  start_api on
  first_id=$(curl -fs "$base/api/assignments" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
  echo "== $prev: k6 browse, k6 submit, wrk cached"
  "$k6" run -q -e BASE_URL="$base" -e DURATION="$duration" --summary-export "$out/prev/browse.json" k6/browse.js || true
  "$k6" run -q -e BASE_URL="$base" -e DURATION="$duration" --summary-export "$out/prev/submit.json" k6/submit.js || true
  wrk -t1 -c100 -d15s --latency "$base/api/assignments/$first_id" | tee "$out/prev/wrk-cached.txt"
  stop_api
  git -C "$dir/prev-api" rev-parse --short HEAD >"$out/prev/commit"
fi

python3 scripts/bench-report.py api "$out" "$duration"
