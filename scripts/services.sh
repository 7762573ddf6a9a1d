#!/usr/bin/env bash
# Postgres and Redis as local processes with their data in a project folder.
#
#   scripts/services.sh start DIR PG_PORT REDIS_PORT   # idempotent; writes DIR/env
#   scripts/services.sh stop DIR                       # stops only what DIR started
#   scripts/services.sh status DIR
#
# DIR/env holds DATABASE_URL and REDIS_URL with generated passwords (mode 0600).
# PG_EXTRA_CONF adds lines to postgresql.conf when the cluster is created.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/deps.sh"

usage() { echo "usage: $0 start DIR PG_PORT REDIS_PORT | stop DIR | status DIR" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)

# Postgres refuses to run as root: its commands run as the postgres user.
as_postgres() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_running() { [[ -f $dir/pg/PG_VERSION ]] && as_postgres "$(pg_bindir)/pg_ctl" -D "$dir/pg" status >/dev/null 2>&1; }

redis_running() {
  [[ -f $dir/redis.pid ]] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null
}

secret() { # $1 = file; made once, readable by root only
  [[ -s $1 ]] || (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$1")
  cat "$1"
}

start_postgres() {
  local port=$1 bin pw
  bin=$(pg_bindir)
  pw=$(secret "$dir/pg-password")
  if [[ ! -f $dir/pg/PG_VERSION ]]; then
    echo "services: creating a Postgres cluster in $dir/pg" >&2
    # The postgres user must be able to reach the folder.
    local d=$dir
    while [[ $d != / ]]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
    mkdir -p "$dir/pg"
    [[ $(id -u) == 0 ]] && chown postgres:postgres "$dir/pg"
    chmod 700 "$dir/pg"
    local pwfile
    pwfile=$(mktemp)
    printf '%s\n' "$pw" >"$pwfile"
    [[ $(id -u) == 0 ]] && chown postgres "$pwfile"
    as_postgres "$bin/initdb" -D "$dir/pg" -U postgres --auth=scram-sha-256 --pwfile="$pwfile" \
      -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { rm -f "$pwfile"; cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$pwfile"
    cat >>"$dir/pg/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/pg'
max_connections = 300
shared_buffers = 512MB
${PG_EXTRA_CONF:-}
CONF
  fi
  if ! pg_running; then
    touch "$dir/pg.log"
    [[ $(id -u) == 0 ]] && chown postgres "$dir/pg.log"
    as_postgres "$bin/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w -t 30 start >/dev/null ||
      { echo "services: Postgres did not start; see $dir/pg.log" >&2; tail -n 20 "$dir/pg.log" >&2; exit 1; }
  fi
  PGPASSWORD=$pw psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'codeplatform'" | grep -q 1 ||
    PGPASSWORD=$pw psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE codeplatform"
}

start_redis() {
  local port=$1 pw
  pw=$(secret "$dir/redis-password")
  mkdir -p "$dir/redis"
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
save ""
CONF
  )
  redis_running || redis-server "$dir/redis.conf"
  for _ in $(seq 100); do
    REDISCLI_AUTH=$pw redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  echo "services: Redis did not answer; see $dir/redis.log" >&2
  exit 1
}

case $cmd in
  start)
    [[ $# -eq 4 ]] || usage
    ensure_group core
    start_postgres "$3"
    start_redis "$4"
    (umask 077 && cat >"$dir/env" <<ENV
DATABASE_URL=postgres://postgres:$(cat "$dir/pg-password")@127.0.0.1:$3/codeplatform
REDIS_URL=redis://:$(cat "$dir/redis-password")@127.0.0.1:$4/
ENV
    )
    echo "services: Postgres on 127.0.0.1:$3, Redis on 127.0.0.1:$4 ($dir)" >&2
    ;;
  stop)
    if pg_running; then as_postgres "$(pg_bindir)/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null; fi
    if redis_running; then
      pid=$(cat "$dir/redis.pid")
      kill -TERM "$pid"
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    ;;
  status)
    pg_running && echo "postgres: running" || echo "postgres: stopped"
    redis_running && echo "redis: running" || echo "redis: stopped"
    ;;
  *) usage ;;
esac
