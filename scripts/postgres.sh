#!/usr/bin/env bash
# Installs (if missing) and starts a local PostgreSQL cluster for GrantLedger, makes sure both of its roles and a
# database exist, and prints a connection string on its last line.
#   scripts/postgres.sh [--owner] [database]     default database: grantledger
# Two roles (docs/operations.md, "Database roles"):
#   grantledger      the schema owner: owns the database; `db-apply` runs as it (printed with --owner)
#   grantledger_app  the runtime role the application connects as (printed by default): read and append only on the
#                    ledger's history, no DDL; its grants are made by `db-apply`
# Environment: GRANTLEDGER_PGPORT (default 5433), GRANTLEDGER_PGDATA (default <repo>/.data/pg). The local passwords are
# fixed development values on a cluster that listens on 127.0.0.1 only; production takes both from a secret store.
# Idempotent: a second run reuses the running cluster.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
print=runtime
if [[ "${1:-}" == "--owner" ]]; then print=owner; shift; fi
db="${1:-grantledger}"
port="${GRANTLEDGER_PGPORT:-5433}"
pgdata="${GRANTLEDGER_PGDATA:-$repo/.data/pg}"
role=grantledger
password=grantledger
app_role=grantledger_app
app_password=grantledger_app

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r); do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then echo "$d"; return 0; fi
  done
  return 1
}

bindir="$(find_bindir || true)"
if [[ -z "$bindir" ]]; then
  log "PostgreSQL server not found; installing it with apt"
  sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq >&2
  $sudo_cmd apt-get install -y -qq postgresql postgresql-contrib >&2
  bindir="$(find_bindir)"
fi

# As root, the server must run as the unprivileged postgres user.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [[ $(id -u) -eq 0 ]]; then
  # The postgres user must be able to reach the data directory; fall back to /var/tmp when it cannot.
  mkdir -p "$(dirname "$pgdata")"
  if ! runuser -u postgres -- test -x "$(dirname "$pgdata")"; then
    pgdata="/var/tmp/grantledger-pg-$(echo "$repo" | md5sum | cut -c1-8)"
    log "postgres cannot reach $repo; using $pgdata"
  fi
  mkdir -p "$pgdata"; chown postgres:postgres "$pgdata"; chmod 700 "$pgdata"
else
  mkdir -p "$pgdata"; chmod 700 "$pgdata"
fi

if [[ ! -f "$pgdata/PG_VERSION" ]]; then
  log "creating cluster in $pgdata"
  pwfile="$(mktemp)"; echo "$password" > "$pwfile"; chmod 644 "$pwfile"
  as_pg "$bindir/initdb" -D "$pgdata" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
fi

psql_bin="$bindir/psql"; [[ -x "$psql_bin" ]] || psql_bin="$(command -v psql)"
psql_pg() { PGPASSWORD="$password" "$psql_bin" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

if as_pg "$bindir/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
  log "cluster already running ($pgdata)"
elif "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
  # Another GrantLedger checkout's cluster may hold the port; reuse it when our credentials work there.
  if psql_pg -d postgres -c "select 1" >/dev/null 2>&1; then
    log "reusing the PostgreSQL already listening on 127.0.0.1:$port"
  else
    log "port $port is taken by a PostgreSQL we cannot use; set GRANTLEDGER_PGPORT to another port"; exit 1
  fi
else
  log "starting cluster on 127.0.0.1:$port"
  as_pg "$bindir/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $pgdata -c max_connections=300" start >/dev/null
fi

if [[ "$(psql_pg -d postgres -c "select 1 from pg_roles where rolname='$role'")" != "1" ]]; then
  psql_pg -d postgres -c "create role $role login password '$password'"
fi
if [[ "$(psql_pg -d postgres -c "select 1 from pg_roles where rolname='$app_role'")" != "1" ]]; then
  # Not a member of the owner role, no superuser, cannot create databases or roles.
  psql_pg -d postgres -c "create role $app_role login password '$app_password' nosuperuser nocreatedb nocreaterole noinherit"
fi
if [[ "$(psql_pg -d postgres -c "select 1 from pg_database where datname='$db'")" != "1" ]]; then
  log "creating database $db"
  psql_pg -d postgres -c "create database \"$db\" owner $role"
fi

if [[ "$print" == owner ]]; then
  echo "Host=127.0.0.1;Port=$port;Database=$db;Username=$role;Password=$password"
else
  echo "Host=127.0.0.1;Port=$port;Database=$db;Username=$app_role;Password=$app_password"
fi
