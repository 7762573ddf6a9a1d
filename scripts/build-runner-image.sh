#!/usr/bin/env bash
# Builds every runner's sandbox image, codeplatform/<name>-runner, from its
# folder runners/<name>/ on the local base image (scripts/build-base-image.sh
# makes it where no registry answers). Adding a runner is adding a folder here
# and its row in domain/src/runners.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-base-image.sh
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
# Images built FROM another runner's image (python-ds FROM python) come after
# the others; TAG names the version to build from.
builds_on_a_runner() { grep -q '^FROM codeplatform/.*-runner' "$1"; }
ordered=()
for dockerfile in runners/*/Dockerfile; do
  builds_on_a_runner "$dockerfile" || ordered+=("$dockerfile")
done
for dockerfile in runners/*/Dockerfile; do
  builds_on_a_runner "$dockerfile" && ordered+=("$dockerfile")
done
for dockerfile in "${ordered[@]}"; do
  dir=${dockerfile%/Dockerfile}
  image=codeplatform/${dir#runners/}-runner
  docker build -q --build-arg TAG="$version" -t "$image:$version" -t "$image:latest" "$dir" >/dev/null
  echo "runner image: $image:$version" >&2
done
