#!/usr/bin/env bash
# PgBouncer in transaction pooling in front of the test PostgreSQL (.ci/postgres.sh), from Debian's own
# `pgbouncer` package, listening on 127.0.0.1 only: what a chain puts between its PayBridge instances and
# its one PostgreSQL (docs/deployment.md). Idempotent: a second run finds it up and only prints the line.
#
#   eval "$(bash .ci/postgres.sh)"; eval "$(bash .ci/pgbouncer.sh)"   # sets PAYBRIDGE_TEST_PGBOUNCER_URL
#
# Needs PAYBRIDGE_TEST_POSTGRES_URL (the server behind it). Everything but the `export` line goes to stderr.
# PAYBRIDGE_PGBOUNCER_DIR (default /var/tmp/paybridge-pgbouncer), PAYBRIDGE_PGBOUNCER_PORT (default 56432)
# and PAYBRIDGE_PGBOUNCER_POOL (server connections per database and user, default 10) move it.
set -euo pipefail

: "${PAYBRIDGE_TEST_POSTGRES_URL:?run eval \"\$(bash .ci/postgres.sh)\" first}"
dir=${PAYBRIDGE_PGBOUNCER_DIR:-/var/tmp/paybridge-pgbouncer}
port=${PAYBRIDGE_PGBOUNCER_PORT:-56432}
pool=${PAYBRIDGE_PGBOUNCER_POOL:-10}

log() { echo "pgbouncer.sh: $*" >&2; }

if ! command -v pgbouncer >/dev/null && [[ ! -x /usr/sbin/pgbouncer ]]; then
  log "installing Debian's pgbouncer"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq pgbouncer >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq pgbouncer >/dev/null; }
fi
bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)

# postgres://user:password@host:port/database
url=${PAYBRIDGE_TEST_POSTGRES_URL#postgres://}
url=${url#postgresql://}
creds=${url%%@*}
user=${creds%%:*}
password=${creds#*:}
hostport=${url#*@}
hostport=${hostport%%/*}
pghost=${hostport%%:*}
pgport=${hostport##*:}

source "$(dirname "$0")/owner.sh"

if as_owner test -f "$dir/pgbouncer.pid" && as_owner kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null; then
  log "already running on 127.0.0.1:$port"
else
  # Any database of the test server, by the name the client asks for (the tests make their own).
  # Transaction pooling: a server connection is a client's only for one transaction. Clients are many
  # (every PayBridge's pool), server connections at most default_pool_size per database and user.
  # The password is the test server's test-only one (see postgres.sh); pgbouncer checks it with
  # SCRAM from auth_file and signs in to PostgreSQL with it.
  umask 077
  printf '"%s" "%s"\n' "$user" "$password" >"$dir/userlist.txt"
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=$pghost port=$pgport

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
admin_users = $user
stats_users = $user
pool_mode = transaction
default_pool_size = $pool
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 2000
max_db_connections = $pool
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
  chown "$owner" "$dir"/*
  log "starting on 127.0.0.1:$port (transaction pooling, $pool server connections per database)"
  ulimit -n 8192 2>/dev/null || true
  as_owner "$bin" -d -q "$dir/pgbouncer.ini" || { cat "$dir/pgbouncer.log" >&2 || true; exit 1; }
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
fi

path=${PAYBRIDGE_TEST_POSTGRES_URL##*/}
echo "export PAYBRIDGE_TEST_PGBOUNCER_URL=postgres://$user:$password@127.0.0.1:$port/$path"
echo "export PAYBRIDGE_TEST_PGBOUNCER_POOL=$pool"
