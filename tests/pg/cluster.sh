#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests, in a folder of its own, reached only through
# its Unix socket in that folder (listen_addresses is empty: nothing listens on the network).
#   cluster.sh start DIR   initdb + pg_ctl start, then two login roles, neither a superuser nor
#                          BYPASSRLS: `gpsi`, which the tests' databases belong to, and
#                          `gpsi_owner`, the owner of the row-level security tests' databases
#                          where `gpsi` is only the application; a cluster left in DIR by an
#                          earlier run that was killed is stopped and replaced first.
#   cluster.sh stop DIR    stops it at once and removes DIR.
# PostgreSQL refuses to run as root: under root (CI, containers) the server runs as the
# `postgres` system user that Debian's postgresql-15 package creates. fsync is off: a test
# cluster is thrown away, and a crash of it loses nothing the tests need.
set -euo pipefail
cmd=${1:?usage: cluster.sh start|stop DIR} dir=${2:?usage: cluster.sh start|stop DIR}
bin=$(pg_config --bindir 2>/dev/null || true)
[ -x "$bin/initdb" ] || bin=/usr/lib/postgresql/15/bin
as=()
[ "$(id -u)" -ne 0 ] || as=(runuser -u postgres --)

stop() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case $cmd in
start)
  stop
  mkdir -p "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
  "${as[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-k $dir -c listen_addresses= -c fsync=off -c full_page_writes=off -c max_connections=200" start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
  psql -h "$dir" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 -c "CREATE ROLE gpsi LOGIN" \
    -c "CREATE ROLE gpsi_owner LOGIN"
  ;;
stop) stop ;;
*) echo "cluster.sh: unknown command $cmd" >&2; exit 2 ;;
esac
