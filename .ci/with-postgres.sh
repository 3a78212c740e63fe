#!/usr/bin/env bash
# Usage: bash .ci/with-postgres.sh CMD [ARG...]
#
# Starts a throwaway PostgreSQL server (its own data directory in a temp folder, its own free
# port on 127.0.0.1 — never the system cluster), creates the role and database the tests use,
# exports LEAN_TEST_DATABASE_URL and runs CMD. The server is stopped and the folder deleted when
# CMD ends, fails or is interrupted. The exit status is CMD's.
#
# Needs the PostgreSQL server binaries (/usr/lib/postgresql/*/bin, Debian's `postgresql`
# package). Run as root, the server runs as the `postgres` OS user; run as any other user, it
# runs as that user. Settings trade durability for speed: the data is thrown away anyway.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARG...]" >&2
    exit 2
fi

DB_USER=vertaa
DB_PASSWORD=vertaa
DB_NAME=vertaa_test

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z $PG_BIN || ! -x $PG_BIN/postgres ]]; then
    echo "with-postgres: no PostgreSQL server in /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
    exit 1
fi

PG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vertaa-pg.XXXXXX")
if [[ $(id -u) -eq 0 ]]; then
    # postgres refuses to run as root.
    if ! id postgres >/dev/null 2>&1; then
        echo "with-postgres: running as root but there is no 'postgres' OS user" >&2
        rm -rf "$PG_TMP"
        exit 1
    fi
    chown postgres: "$PG_TMP"
    as_pg() { (cd "$PG_TMP" && runuser -u postgres -- "$@"); }
else
    as_pg() { (cd "$PG_TMP" && "$@"); }
fi
PG_DATA=$PG_TMP/data
PG_LOG=$PG_TMP/server.log
PORT=

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -f $PG_DATA/postmaster.pid ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_TMP"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

as_pg "$PG_BIN/initdb" -D "$PG_DATA" --username=postgres --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$PG_TMP/initdb.log" 2>&1 || {
    cat "$PG_TMP/initdb.log" >&2
    exit 1
}

# Another process could take the free port between the check and the start: try a few.
started=
for _ in 1 2 3; do
    PORT=$(free_port)
    if as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start -o \
        "-c listen_addresses=127.0.0.1 -p $PORT -k $PG_TMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        >/dev/null; then
        started=1
        break
    fi
done
if [[ -z $started ]]; then
    echo "with-postgres: the server did not start; its log:" >&2
    cat "$PG_LOG" >&2 || true
    exit 1
fi

for _ in $(seq 1 60); do
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
        break
    fi
    sleep 0.5
done
"$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PORT" >/dev/null || {
    echo "with-postgres: the server is not accepting connections; its log:" >&2
    cat "$PG_LOG" >&2
    exit 1
}

as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_TMP" -p "$PORT" -U postgres -d postgres \
    -c "CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD'" \
    -c "CREATE DATABASE $DB_NAME OWNER $DB_USER"

export LEAN_TEST_DATABASE_URL="postgresql+psycopg://$DB_USER:$DB_PASSWORD@127.0.0.1:$PORT/$DB_NAME"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT," \
    "LEAN_TEST_DATABASE_URL=$LEAN_TEST_DATABASE_URL"

status=0
"$@" || status=$?
exit "$status"
