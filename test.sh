#!/usr/bin/env bash
# Runs every test of codeplatform the way CI does, on a fresh machine too:
# installs what is missing, starts a throwaway Postgres and Redis under
# .data/test, starts Docker if it is not running, builds the sandbox images, then
# runs formatting, lints and the whole test suite against them.
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
source scripts/deps.sh

ensure_group core
ensure_group browser
# The LMS the LTI tests launch from (PyPI's lti1p3platform, in its own venv).
ensure_group lms
# axe-core for the accessibility test (PyPI's axe-selenium-python).
ensure_group a11y
# The page's editor, copied from its Debian package into ui/vendor.
scripts/vendor-ui.sh

dir=$root/.data/test
scripts/services.sh stop "$dir" >/dev/null 2>&1 || true
rm -rf "$dir"
# Set before the start, so a half-started pair is stopped too.
cleanup() { scripts/services.sh stop "$dir" >/dev/null 2>&1 || true; }
trap cleanup EXIT
# Tests create hundreds of small databases: durability buys nothing here.
# The ports lie below the kernel's ephemeral range (32768-60999 here), which
# any outgoing connection may be holding at the moment a server binds.
PG_EXTRA_CONF=$'fsync = off\nsynchronous_commit = off\nfull_page_writes = off' \
  scripts/services.sh start "$dir" 25433 26380

set -a
# shellcheck disable=SC1091
source "$dir/env"
set +a

# The grader's tests run real sandboxes: a daemon must answer (deps starts
# one where it is installed but not running, and fails loudly otherwise).
ensure_group docker
scripts/build-base-image.sh
scripts/build-runner-image.sh
export CODEPLATFORM_DOCKER=1

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$root/target/test-output.txt"
status=${PIPESTATUS[0]}
# One closing line for the whole run, summed over every test binary.
awk '/^test result:/ { p += $4; f += $6 } END { printf "%d passed, %d failed\n", p, f }' \
  "$root/target/test-output.txt"
exit "$status"
