#!/usr/bin/env bash
# Postgres and Redis as local processes, with their data in a project folder.
#
#   scripts/services.sh start DIR PG_PORT REDIS_PORT   # idempotent; writes DIR/env
#   scripts/services.sh stop DIR                       # stops only what DIR runs
#   scripts/services.sh status DIR
#
# DIR/env (mode 0600) holds DATABASE_URL and REDIS_URL with passwords made once
# per folder. Both servers listen on 127.0.0.1 only. PG_EXTRA_CONF adds lines
# to Postgres' settings: when set, it replaces the extra lines of earlier
# starts; when unset, they stay. A running server takes them at its next start.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${here%/*}
# shellcheck source=deps.sh source-path=SCRIPTDIR
source "$here/deps.sh"

usage() {
  echo "usage: $0 start DIR PG_PORT REDIS_PORT | stop DIR | status DIR" >&2
  exit 2
}
die() { echo "services: $*" >&2; exit 1; }

(($# >= 2)) || usage
cmd=$1
dir=$(realpath -m -- "$2")

tmpfiles=()
trap 'rm -f "${tmpfiles[@]}"' EXIT

# Postgres refuses to run as root, so its commands run as the postgres user.
as_postgres() { runuser -u postgres -- "$@"; }

pg_running() {
  [[ -f $dir/pg/PG_VERSION ]] || return 1
  as_postgres "$(pg_bindir)/pg_ctl" -D "$dir/pg" status >/dev/null 2>&1
}

# The Redis pid from DIR's pidfile, if that process is alive and is Redis
# (a stale pidfile may name an unrelated process by now).
redis_pid() {
  local pid
  pid=$(cat "$dir/redis.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  # Debian's redis-server is a symlink, so check the name it was started as.
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == redis-server ]] || return 1
  echo "$pid"
}

redis_ping() { # $1 = port
  REDISCLI_AUTH=$(cat "$dir/redis-password") redis-cli --no-auth-warning \
    -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG
}

# Runs the command until it succeeds, for at most $1 seconds.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# A hex secret (URL-safe), made once and readable by root only.
secret() {
  [[ -s $1 ]] || (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$1")
  cat "$1"
}

# The postgres user must reach DIR: open the directories between the project
# root and DIR for traversal (o+x only, nothing becomes readable).
open_path() {
  local d=$dir
  while [[ $d == "$root"/* || $d == "$root" ]]; do
    chmod o+x "$d"
    [[ $d == "$root" ]] && break
    d=${d%/*}
  done
  as_postgres test -x "$dir" ||
    die "the postgres user cannot reach $dir; allow it to traverse the directories above it"
}

init_postgres() {
  local pw=$1 pwfile
  echo "services: creating a Postgres cluster in $dir/pg" >&2
  open_path
  mkdir -p "$dir/pg"
  chown postgres:postgres "$dir/pg"
  chmod 700 "$dir/pg"
  # initdb reads the superuser password from a file only postgres can read,
  # removed right after.
  pwfile=$(mktemp)
  tmpfiles+=("$pwfile")
  printf '%s\n' "$pw" >"$pwfile"
  chown postgres "$pwfile"
  as_postgres "$(pg_bindir)/initdb" -D "$dir/pg" -U postgres --pwfile="$pwfile" \
    --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  rm -f "$pwfile"
  echo "include_if_exists = 'codeplatform.conf'" >>"$dir/pg/postgresql.conf"
  echo "include_if_exists = 'codeplatform-extra.conf'" >>"$dir/pg/postgresql.conf"
}

# Settings live in files of their own so every start can rewrite them.
write_pg_conf() {
  local port=$1
  # Sized for a 2-core, 24 GiB development machine that may run the dev,
  # test and bench clusters side by side.
  cat >"$dir/pg/codeplatform.conf" <<CONF
# Written by scripts/services.sh at every start; PG_EXTRA_CONF goes to codeplatform-extra.conf.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/pg'
max_connections = 200
shared_buffers = 1GB
effective_cache_size = 8GB
work_mem = 16MB
maintenance_work_mem = 256MB
max_wal_size = 2GB
max_worker_processes = 4
max_parallel_workers_per_gather = 1
max_parallel_workers = 2
timezone = 'UTC'
log_timezone = 'UTC'
log_min_duration_statement = 1000
CONF
  if [[ -v PG_EXTRA_CONF ]]; then
    printf '%s\n' "$PG_EXTRA_CONF" >"$dir/pg/codeplatform-extra.conf"
  elif [[ ! -e $dir/pg/codeplatform-extra.conf ]]; then
    : >"$dir/pg/codeplatform-extra.conf"
  fi
  chown postgres:postgres "$dir/pg"/codeplatform*.conf
  # Older clusters of this script had no include lines: add them once.
  grep -q "^include_if_exists = 'codeplatform.conf'" "$dir/pg/postgresql.conf" || {
    echo "include_if_exists = 'codeplatform.conf'"
    echo "include_if_exists = 'codeplatform-extra.conf'"
  } >>"$dir/pg/postgresql.conf"
}

pg_ready() { "$(pg_bindir)/pg_isready" -q -h 127.0.0.1 -p "$1"; }

start_postgres() {
  local port=$1 pw bin
  bin=$(pg_bindir)
  pw=$(secret "$dir/pg-password")
  [[ -f $dir/pg/PG_VERSION ]] || init_postgres "$pw"
  write_pg_conf "$port"
  if ! pg_running; then
    echo "services: starting Postgres on 127.0.0.1:$port" >&2
    # pg_ctl runs as postgres, which cannot create files in DIR.
    touch "$dir/pg.log"
    chown postgres "$dir/pg.log"
    as_postgres "$bin/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w -t 30 start >/dev/null ||
      { tail -n 20 "$dir/pg.log" >&2; die "Postgres did not start; see $dir/pg.log"; }
  fi
  wait_for 30 pg_ready "$port" ||
    die "Postgres does not answer on 127.0.0.1:$port; see $dir/pg.log"
  if [[ -z $(PGPASSWORD=$pw "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -XtAc \
    "SELECT 1 FROM pg_database WHERE datname = 'codeplatform'") ]]; then
    echo "services: creating database codeplatform" >&2
    PGPASSWORD=$pw "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -Xqc \
      'CREATE DATABASE codeplatform'
  fi
}

start_redis() {
  local port=$1 pw
  pw=$(secret "$dir/redis-password")
  mkdir -p "$dir/redis"
  # The config holds the password: root-only like the password file.
  (umask 077 && cat >"$dir/redis.conf" <<CONF
bind 127.0.0.1
port $port
protected-mode yes
requirepass $pw
daemonize yes
pidfile $dir/redis.pid
logfile $dir/redis.log
dir $dir/redis
appendonly yes
CONF
  )
  if ! redis_pid >/dev/null; then
    echo "services: starting Redis on 127.0.0.1:$port" >&2
    rm -f "$dir/redis.pid"
    redis-server "$dir/redis.conf" ||
      die "redis-server failed to start; see $dir/redis.log"
  fi
  # A Redis replaying a large AOF answers only once it has loaded it; one that
  # exited (port taken, bad config) will never answer, so stop waiting then.
  local deadline=$((SECONDS + 30)) since=$SECONDS
  until redis_ping "$port"; do
    if ((SECONDS - since >= 2)) && ! redis_pid >/dev/null; then
      tail -n 3 "$dir/redis.log" >&2
      die "Redis exited; see $dir/redis.log"
    fi
    ((SECONDS < deadline)) || die "Redis does not answer on 127.0.0.1:$port; see $dir/redis.log"
    sleep 0.2
  done
}

write_env() {
  local tmp
  tmp=$(mktemp "$dir/env.XXXXXX")
  tmpfiles+=("$tmp")
  printf 'DATABASE_URL=postgres://postgres:%s@127.0.0.1:%s/codeplatform\nREDIS_URL=redis://:%s@127.0.0.1:%s/\n' \
    "$(cat "$dir/pg-password")" "$1" "$(cat "$dir/redis-password")" "$2" >"$tmp"
  chmod 600 "$tmp"
  mv "$tmp" "$dir/env"
}

stop_all() {
  local pid
  if pg_running; then
    echo "services: stopping Postgres ($dir/pg)" >&2
    as_postgres "$(pg_bindir)/pg_ctl" -D "$dir/pg" -m fast -w -t 60 stop >/dev/null
  fi
  if pid=$(redis_pid); then
    echo "services: stopping Redis (pid $pid)" >&2
    # SIGTERM makes Redis flush its append-only file and exit.
    kill -TERM "$pid"
    wait_for 30 gone "$pid" ||
      die "Redis (pid $pid) did not exit; see $dir/redis.log"
  fi
  rm -f "$dir/redis.pid"
}

gone() { ! kill -0 "$1" 2>/dev/null; }

is_port() { [[ $1 =~ ^[0-9]+$ ]] && (($1 > 0 && $1 < 65536)); }

case $cmd in
  start)
    (($# == 4)) || usage
    if ! is_port "$3" || ! is_port "$4"; then die "ports must be numbers in 1-65535"; fi
    ensure_group core
    mkdir -p "$dir"
    start_postgres "$3"
    start_redis "$4"
    write_env "$3" "$4"
    echo "services: Postgres on 127.0.0.1:$3, Redis on 127.0.0.1:$4 (env in $dir/env)" >&2
    ;;
  stop)
    (($# == 2)) || usage
    [[ -d $dir ]] || exit 0
    stop_all
    ;;
  status)
    (($# == 2)) || usage
    if [[ -d $dir ]] && pg_running; then echo "postgres: running"; else echo "postgres: stopped"; fi
    if [[ -d $dir ]] && redis_pid >/dev/null; then echo "redis: running"; else echo "redis: stopped"; fi
    ;;
  *) usage ;;
esac
