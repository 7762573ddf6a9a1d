# The set-up the e2e benchmarks share (bench-class-view, bench-hidden,
# bench-notebook), sourced by each from the repository's root: what they
# need installed, a Postgres and Redis of their own under .data/NAME
# (stopped on exit), the sandbox images, and the environment the e2e tests
# read. Sets `dir` to that folder.
#
#   source scripts/bench-e2e-env.sh
#   bench_e2e_env NAME PG_PORT REDIS_PORT [EXTRA_GROUP...]

bench_e2e_env() {
  local name=$1 pg=$2 redis=$3 group
  shift 3
  # shellcheck disable=SC1091
  source scripts/deps.sh
  ensure_group core
  for group in "$@"; do ensure_group "$group"; done
  ensure_group docker
  dir=$PWD/.data/$name
  mkdir -p "$dir"
  scripts/services.sh start "$dir" "$pg" "$redis"
  trap 'scripts/services.sh stop "$dir" >/dev/null' EXIT
  set -a
  # shellcheck disable=SC1091
  source "$dir/env"
  set +a
  scripts/build-base-image.sh
  scripts/build-runner-image.sh
  export CODEPLATFORM_DOCKER=1 BENCH_COMMIT=${BENCH_COMMIT:-$(git rev-parse --short HEAD)}
}
