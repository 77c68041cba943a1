# Sourced by bench/serve.sh and bench/flood.sh: the gpsi binary, a work folder removed at exit, a
# store (GPSI_DB, else one made from the shared data, not timed), and `start_server ARGS…`, which
# starts `gpsi serve --port $port ARGS… $SERVE_ARGS` with its access log in a file and waits for it.
# The caller sets `port` and `name` (for messages) first.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
bin=${GPSI_BIN:-$root/build/gpsi}
data=${GPSI_DATA:-$(dirname "$root")/shared/data}
[ -x "$bin" ] || { echo "$name: no gpsi binary at $bin (run make, or set GPSI_BIN)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/gpsi-$name.XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

db=${GPSI_DB:-}
if [ -z "$db" ]; then
  db=$work/s.db
  "$bin" -q --db "$db" init --reference "$data" >/dev/null
  "$bin" -q --db "$db" ingest "$data" >/dev/null
fi

start_server() {
  # shellcheck disable=SC2086
  "$bin" --db "$db" serve --port "$port" --method "$root/methods/gpsi.toml" "$@" ${SERVE_ARGS:-} \
    >"$work/serve.out" 2>"$work/serve.log" &
  pid=$!
  for _ in $(seq 600); do
    grep -q '^serving ' "$work/serve.out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.1
  done
  grep -q '^serving ' "$work/serve.out" || { echo "$name: gpsi serve did not start" >&2; exit 1; }
  base=http://127.0.0.1:$port
}
