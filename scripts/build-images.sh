#!/usr/bin/env bash
# Builds every image of the stack, tagged with the workspace version (and
# :latest): programming-api, grader, websocket and autoscaler from release
# binaries built here, the sandbox runners (python and python-ds), and
# Postgres, Redis, the balancer (HAProxy) and Prometheus from Debian's packages. All
# build FROM the local base (scripts/build-base-image.sh), so no registry is needed.
#
#   scripts/build-images.sh [TAG]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=${1:-$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)}
scripts/build-runner-image.sh
scripts/vendor-ui.sh
cargo build --release --locked -q -p programming-api -p grader -p websocket -p autoscaler

build() { # image dockerfile context [args...]
  local image=$1 file=$2 context=$3
  shift 3
  docker build -q -f "$file" -t "codeplatform/$image:$version" -t "codeplatform/$image:latest" \
    "$@" "$context" >/dev/null 2> >(grep -v -i -E 'deprecat|buildx|buildkit|^\s*$' >&2)
  echo "image: codeplatform/$image:$version" >&2
}

for service in programming-api grader websocket autoscaler; do
  ctx=$root/.data/images/$service
  rm -rf "$ctx" && mkdir -p "$ctx/bin"
  cp "target/release/$service" "$ctx/bin/"
  cp -r ui courses "$ctx/"
  cp deploy/healthcheck.py "$ctx/healthcheck.py"
  build "$service" deploy/service.Dockerfile "$ctx" --build-arg "SERVICE=$service"
done
build postgres deploy/postgres.Dockerfile deploy
build redis deploy/redis.Dockerfile deploy
build balancer deploy/balancer.Dockerfile deploy
build prometheus deploy/prometheus.Dockerfile deploy
