#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for the tests (CI, or by hand):
#   eval "$(bash scripts/postgres-test-cluster.sh start)"   # exports TEST_DATABASE_URL
#   bash scripts/postgres-test-cluster.sh stop <dir>
# It uses Debian's PostgreSQL server binaries (apt-get install -y postgresql) without touching the
# system's own cluster: a new data folder under /tmp, trust authentication on loopback only, a free port.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
  echo "postgres-test-cluster: no PostgreSQL server found (apt-get install -y postgresql)" >&2
  exit 1
fi

as_owner() {
  # initdb and the server refuse to run as root: they run as the postgres user then, from a folder
  # that user may enter (the checkout may not be one).
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

case "${1:-}" in
  start)
    dir=$(mktemp -d /tmp/clockbridge-pg.XXXXXX)
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close() })")
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U clockbridge -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=300" start >/dev/null
    echo "export TEST_DATABASE_URL=postgres://clockbridge@127.0.0.1:$port/postgres"
    echo "export TEST_POSTGRES_DIR=$dir"
    ;;
  stop)
    dir=${2:?the folder start printed as TEST_POSTGRES_DIR}
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | stop <dir>" >&2
    exit 2
    ;;
esac
