#!/usr/bin/env bash
# A PostgreSQL server for the tests, from Debian's own `postgresql` package: a cluster of its own in
# a folder of its own (not the distribution's `main` cluster, which may be someone else's), listening
# on 127.0.0.1 only. Idempotent: a second run finds the server up and only prints the line again.
#
#   eval "$(bash .ci/postgres.sh)"     # sets PAYBRIDGE_TEST_POSTGRES_URL
#
# Everything but that one `export` line goes to stderr, so the output can be eval'd as it is.
# PAYBRIDGE_PG_DIR (default /var/tmp/paybridge-postgres) and PAYBRIDGE_PG_PORT (default 55432) move it.
set -euo pipefail

dir=${PAYBRIDGE_PG_DIR:-/var/tmp/paybridge-postgres}
port=${PAYBRIDGE_PG_PORT:-55432}
user=paybridge
# A test-only password on a loopback-only server; it is in the URL so that the tests also prove the
# journal never logs a password it was given.
password=paybridge-test-pw
database=paybridge_test

log() { echo "postgres.sh: $*" >&2; }

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [[ -z "$(bindir)" || ! -x "$(bindir)/initdb" ]]; then
  log "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq postgresql >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq postgresql >/dev/null; }
fi
bin=$(bindir)

source "$(dirname "$0")/owner.sh"
data="$dir/data"

if [[ ! -f "$data/PG_VERSION" ]]; then
  log "initdb $data"
  # The superuser signs in over the folder's socket only; over TCP everyone gives a password.
  as_owner "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
fi

if ! as_owner "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; then
  log "starting on 127.0.0.1:$port"
  as_owner "$bin/pg_ctl" start -w -t 60 -D "$data" -l "$dir/server.log" \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200" >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
fi

psql_admin() { as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
# CREATEDB: each test run makes databases of its own and drops them, so runs never see each other's rows.
if [[ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" != 1 ]]; then
  psql_admin -c "CREATE ROLE $user LOGIN CREATEDB PASSWORD '$password'" >/dev/null
fi
if [[ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" != 1 ]]; then
  psql_admin -c "CREATE DATABASE $database OWNER $user" >/dev/null
fi

echo "export PAYBRIDGE_TEST_POSTGRES_URL=postgres://$user:$password@127.0.0.1:$port/$database"
