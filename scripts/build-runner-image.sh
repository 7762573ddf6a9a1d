#!/usr/bin/env bash
# Builds the sandbox image codeplatform/python-runner from grader/runner on the
# local base image (scripts/build-base-image.sh makes it where no registry answers).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-base-image.sh
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
docker build -q -t "codeplatform/python-runner:$version" -t codeplatform/python-runner:latest \
  grader/runner >/dev/null
echo "runner image: codeplatform/python-runner:$version" >&2
