#!/usr/bin/env bash
# Slow clients and a connection flood against `gpsi serve` (bench/RESULTS.md, issue 16):
#  1. SLOW (1000) slowloris connections from 127.0.0.2 while a probe from 127.0.0.1 times PROBES
#     normal requests (bench/slow_clients.py): p50 / p99 / max, timeouts;
#  2. a wrk flood of FLOOD (1024) connections on GET /api/v1/scores for DURATION, while the same probe
#     times one request every 0.2 s: an outside client's latency during the flood, and wrk's req/s.
# Environment: GPSI_BIN (build/gpsi), GPSI_DB (a store; else one made from ../shared/data),
# PORT (18081), SERVE_ARGS (extra `gpsi serve` options, e.g. limits), SLOW, FLOOD, DURATION (15s), PROBES (100).
set -euo pipefail
name=flood.sh
port=${PORT:-18081}
slow=${SLOW:-1000}
flood=${FLOOD:-1024}
duration=${DURATION:-15s}
probes=${PROBES:-100}
. "$(dirname "$0")/serve_lib.sh"
ulimit -n "$(ulimit -Hn)"
start_server --intervals 0 --forecast-draws 0
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
