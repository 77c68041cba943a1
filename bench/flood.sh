#!/usr/bin/env bash
# Slow clients and a connection flood against `gpsi serve` (bench/RESULTS.md, issue 16):
#  1. SLOW (1000) slowloris connections from 127.0.0.2 while a probe from 127.0.0.1 times PROBES
#     normal requests (bench/slow_clients.py): p50 / p99 / max, timeouts;
#  2. a wrk flood of FLOOD (1024) connections on GET /api/v1/scores for DURATION, while the same probe
#     times one request every 0.2 s: an outside client's latency during the flood, and wrk's req/s.
# Environment: GPSI_BIN (build/gpsi), GPSI_DB (a store; else one made from ../shared/data),
# PORT (18081), SERVE_ARGS (extra `gpsi serve` options, e.g. limits), SLOW, FLOOD, DURATION (15s), PROBES (100).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${GPSI_BIN:-$root/build/gpsi}
data=${GPSI_DATA:-$(dirname "$root")/shared/data}
port=${PORT:-18081}
slow=${SLOW:-1000}
flood=${FLOOD:-1024}
duration=${DURATION:-15s}
probes=${PROBES:-100}
[ -x "$bin" ] || { echo "flood.sh: no gpsi binary at $bin (run make, or set GPSI_BIN)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/gpsi-flood-bench.XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

db=${GPSI_DB:-}
if [ -z "$db" ]; then
  db=$work/s.db
  "$bin" -q --db "$db" init --reference "$data" >/dev/null
  "$bin" -q --db "$db" ingest "$data" >/dev/null
fi
# shellcheck disable=SC2086
"$bin" --db "$db" serve --port "$port" --intervals 0 --forecast-draws 0 --method "$root/methods/gpsi.toml" \
  ${SERVE_ARGS:-} >"$work/serve.out" 2>"$work/serve.log" &
pid=$!
for _ in $(seq 600); do
  grep -q '^serving ' "$work/serve.out" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
base=http://127.0.0.1:$port
curl -sf "$base/api/v1/scores" >/dev/null
echo "machine: $(nproc) cores; server: gpsi serve ${SERVE_ARGS:-}"

echo "== $slow slow connections"
python3 "$here/slow_clients.py" --port "$port" --slow "$slow" --probes "$probes" || true
sleep 1

echo "== wrk flood, $flood connections, $duration"
wrk -t2 -c"$flood" -d"$duration" --latency "$base/api/v1/scores" >"$work/wrk.out" 2>&1 &
wrk_pid=$!
sleep 2
secs=${duration%s}
python3 "$here/slow_clients.py" --port "$port" --slow 0 --probes $(((secs - 4) * 5)) --probe-gap 0.2 --probe-from 127.0.0.3 \
  --path /api/v1/health || true
wait "$wrk_pid" || true
awk '/^Requests\/sec/ { print "wrk: " $2 " req/s" } $1 == "99%" { print "wrk p99: " $2 }' "$work/wrk.out"
grep -E 'Socket errors|Non-2xx' "$work/wrk.out" || echo "wrk: no errors"
