#!/usr/bin/env bash
# Install (if needed) and start a local PostgreSQL server for the test suite, idempotently.
#
# Uses Debian's packages (PostgreSQL 15 on Debian 12). Creates the role `civic` (password
# `civic`, SUPERUSER: a throwaway test cluster, and DROP DATABASE ... WITH (FORCE) must be able
# to end any session) and the database `civic`, reachable over TCP on 127.0.0.1 with password
# authentication. The last line printed is the URL to export as CIVIC_TEST_POSTGRES_URL.
# Needs root (or sudo); works with no standard input. Shared by `make postgres` and `.ci/run`.
set -euo pipefail

ROLE=civic
PASSWORD=civic
DATABASE=civic
HOST=127.0.0.1

log() { echo "postgres.sh: $*" >&2; }

if [[ ${EUID} -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null; then
    SUDO=(sudo)
else
    log "must run as root (or with sudo available)"
    exit 1
fi

# psql/pg_* as the postgres superuser; from / so it need not read the caller's directory.
as_postgres() { (cd / && "${SUDO[@]}" runuser -u postgres -- "$@"); }

# --- install ----------------------------------------------------------------------------------
if ! command -v pg_lsclusters >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    log "installing PostgreSQL from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq </dev/null
    "${SUDO[@]}" apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends postgresql </dev/null >&2
fi

# --- cluster ----------------------------------------------------------------------------------
# Prefer the cluster on port 5432, else the first one; create `main` if there is none.
clusters() { pg_lsclusters --no-header 2>/dev/null || true; }
if [[ -z "$(clusters)" ]]; then
    version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
    log "creating cluster ${version}/main"
    "${SUDO[@]}" pg_createcluster "${version}" main --port 5432 >&2
fi
cluster=$(clusters | awk '$3 == 5432 { print; exit }')
[[ -n "${cluster}" ]] || cluster=$(clusters | head -n 1)
read -r version name port status _ <<<"${cluster}"

if [[ "${status}" != online* ]]; then
    log "starting cluster ${version}/${name} on port ${port}"
    "${SUDO[@]}" pg_ctlcluster "${version}" "${name}" start >&2
fi

for _ in $(seq 1 60); do
    if pg_isready -q -h "${HOST}" -p "${port}"; then
        break
    fi
    sleep 0.5
done
if ! pg_isready -h "${HOST}" -p "${port}" >&2; then
    log "server ${version}/${name} does not accept TCP connections on ${HOST}:${port}"
    log "(check listen_addresses in /etc/postgresql/${version}/${name}/postgresql.conf)"
    exit 1
fi

# --- role and database ------------------------------------------------------------------------
psql_admin() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "${port}" -d postgres "$@"; }

if [[ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '${ROLE}'")" != 1 ]]; then
    log "creating role ${ROLE}"
    psql_admin -c "CREATE ROLE ${ROLE} LOGIN SUPERUSER PASSWORD '${PASSWORD}'"
else
    psql_admin -c "ALTER ROLE ${ROLE} LOGIN SUPERUSER PASSWORD '${PASSWORD}'"
fi
if [[ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'")" != 1 ]]; then
    log "creating database ${DATABASE}"
    psql_admin -c "CREATE DATABASE ${DATABASE} OWNER ${ROLE}"
fi

# --- check password authentication over TCP ---------------------------------------------------
if ! PGPASSWORD="${PASSWORD}" psql -X -q -w -h "${HOST}" -p "${port}" -U "${ROLE}" -d "${DATABASE}" \
    -tAc 'SELECT 1' </dev/null >/dev/null; then
    log "cannot log in as ${ROLE} with a password over TCP on ${HOST}:${port}"
    log "(check /etc/postgresql/${version}/${name}/pg_hba.conf allows scram-sha-256 or md5 for ${HOST}/32)"
    exit 1
fi

log "PostgreSQL ${version}/${name} is ready; export CIVIC_TEST_POSTGRES_URL as below"
echo "postgresql+psycopg://${ROLE}:${PASSWORD}@${HOST}:${port}/${DATABASE}"
