#!/usr/bin/env bash
# Starts the whole codeplatform on this machine: Postgres and Redis as local
# processes with their data under .data/dev (installed where missing), the
# sandbox images where a Docker daemon answers, then programming-api (API and
# UI), the grader and the WebSocket gateway. Ctrl+C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
source scripts/deps.sh

ensure_group core
dir=$root/.data/dev
scripts/services.sh start "$dir" 25432 26379
set -a
# shellcheck disable=SC1091
source "$dir/env"
set +a

# The token signing key: made once, kept out of the environment and the logs.
secret_file=$dir/token-secret
if [[ ! -s $secret_file ]]; then
  (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n' >"$secret_file")
fi
export TOKEN_SECRET_FILE=$secret_file

if ensure_docker; then
  scripts/build-base-image.sh
  [[ -x scripts/build-runner-image.sh ]] && scripts/build-runner-image.sh
  export GRADER_SANDBOX=pool
else
  echo "run.sh: no Docker daemon answers: the grader falls back to its development-only process sandbox" >&2
  export GRADER_SANDBOX=process
fi

services=(programming-api)
[[ -f grader/src/lib.rs ]] && services+=(grader)
[[ -d websocket ]] && services+=(websocket)
scripts/vendor-ui.sh
cargo build --release --locked $(printf -- '-p %s ' "${services[@]}") -p codeplatform-cli

pids=()
stop() {
  trap - INT TERM EXIT
  echo "run.sh: stopping" >&2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  scripts/services.sh stop "$dir"
}
trap stop INT TERM EXIT

export API_ADDR=${API_ADDR:-127.0.0.1:8080} WS_ADDR=${WS_ADDR:-127.0.0.1:8081}
export COURSES_DIR=$root/courses UI_DIR=$root/ui
for service in "${services[@]}"; do
  "target/release/$service" &
  pids+=($!)
done

echo
echo "codeplatform is running:"
echo "  page and API   http://$API_ADDR"
echo "  WebSocket      ws://$WS_ADDR/ws"
echo "  courses        $(cd courses && ls -d -- */ | tr -d / | tr '\n' ' ')(http://$API_ADDR/c/<course>)"
echo "  staff pages    http://$API_ADDR/staff"
echo "  metrics        http://${API_ADMIN_ADDR:-127.0.0.1:9102}/metrics (API), http://${GRADER_METRICS_ADDR:-127.0.0.1:9100}/metrics (grader), http://${WS_ADMIN_ADDR:-127.0.0.1:9101}/metrics (gateway)"
echo "  terminal       target/release/codeplatform --server http://$API_ADDR login   (then: assignments, fetch, run, submit)"
echo "  Ctrl+C stops it."
echo
echo "Make the first instructor (the password is read from standard input):"
echo "  (set -a; . $dir/env; target/release/programming-api admin add-staff --course intro --role instructor <username>)"
echo "then sign in at http://$API_ADDR/staff."
wait -n "${pids[@]}" || true
