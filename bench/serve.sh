#!/usr/bin/env bash
# Load benchmark of `gpsi serve` (bench/RESULTS.md, "HTTP server"): wrk at CONNS connections on
# GET /api/v1/scores, GET /api/v1/units/CHN and POST /api/v1/whatif (bench/whatif.lua), DURATION
# each, with req/s and p99 latency (wrk --latency); then a LONG run of all three in turn
# (bench/mix.lua) that must end with zero errors, with the server's RSS (VmRSS) sampled at its
# start and end. The store is GPSI_DB if given, else one made from ../shared/data in a temporary
# folder (not timed). Environment: GPSI_BIN (default build/gpsi), GPSI_DATA, GPSI_DB, CONNS (64),
# WRK_THREADS (2), DURATION (15s), LONG (60s), PORT (18080), SERVE_ARGS (extra `gpsi serve` options).
set -euo pipefail
name=serve.sh
conns=${CONNS:-64}
wrk_threads=${WRK_THREADS:-2}
duration=${DURATION:-15s}
long=${LONG:-60s}
port=${PORT:-18080}
command -v wrk >/dev/null || { echo "serve.sh: wrk is not installed (scripts/setup.sh)" >&2; exit 2; }
. "$(dirname "$0")/serve_lib.sh"
# The access log goes to a file: one line per request is part of the server's work.
start_server
rss() { awk '/^VmRSS/ { print $2 " kB" }' "/proc/$pid/status"; }
threads() { awk '/^Threads/ { print $2 }' "/proc/$pid/status"; }

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo "load before: $(uptime)"
echo "server: $(head -1 "$work/serve.out"), $(threads) threads, RSS $(rss)"

# run NAME WRK-ARGS…: one wrk run; prints req/s, p99, and any errors wrk reports.
run() {
  local name=$1; shift
  local out
  out=$(wrk -t"$wrk_threads" -c"$conns" --latency "$@")
  local rps p99 errors
  rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" || true)
  printf '%-28s %10s req/s   p99 %8s   %s\n' "$name" "$rps" "$p99" "${errors:-no errors}"
  [ -n "${VERBOSE:-}" ] && echo "$out"
  [ -z "$errors" ]
}

status=0
# A first request fills the response cache; wrk then measures the steady state.
curl -sf "$base/api/v1/scores" >/dev/null && curl -sf "$base/api/v1/units/CHN" >/dev/null
run "GET /api/v1/scores" -d"$duration" "$base/api/v1/scores" || status=1
run "GET /api/v1/units/CHN" -d"$duration" "$base/api/v1/units/CHN" || status=1
run "POST /api/v1/whatif" -d"$duration" -s "$here/whatif.lua" "$base/api/v1/whatif" || status=1
rss0=$(rss)
run "mix, $long" -d"$long" -s "$here/mix.lua" "$base/api/v1/scores" || status=1
rss1=$(rss)
echo "RSS at the start of the long run: $rss0; at its end: $rss1"
echo "load after: $(uptime)"
exit $status
