#!/bin/sh
# The password goes into a config file only the redis user reads, not argv.
set -eu
umask 077
conf=/tmp/redis.conf
{
  echo "bind 0.0.0.0"
  echo "protected-mode yes"
  echo "dir /data"
  echo "appendonly yes"
  echo "requirepass $(cat /run/secrets/redis_password)"
} >"$conf"
exec redis-server "$conf"
