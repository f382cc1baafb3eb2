#!/usr/bin/env bash
# Runs every Threadline test on a fresh machine: installs what is missing (PostgreSQL from Debian's packages),
# starts a throwaway PostgreSQL cluster on a spare port, runs `dotnet test` against SQLite and PostgreSQL, stops it.
set -euo pipefail
cd "$(dirname "$0")"

PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/initdb" ]; then
  echo "== installing PostgreSQL 15 from Debian's packages"
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi

# A throwaway cluster. Debian's PostgreSQL refuses to run as root, so as root it runs as the postgres user.
PGROOT=$(mktemp -d /tmp/threadline-pg.XXXXXX)
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$PGROOT"
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
cleanup() {
  run_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGROOT"
}
trap cleanup EXIT
run_pg "$PGBIN/initdb" -D "$PGROOT/data" -A trust -U postgres --no-sync >/dev/null
run_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -o "-p $PGPORT -k $PGROOT -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
echo "== PostgreSQL 15 on 127.0.0.1:$PGPORT"
export THREADLINE_TEST_PG="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"

dotnet test Threadline.slnx -c Release --logger "console;verbosity=normal" "$@"
