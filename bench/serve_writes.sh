#!/usr/bin/env bash
# The read API while submissions are written (issue 17): wrk at CONNS connections on
# GET /api/v1/scores and on GET /api/v1/units/USA (the profile, which reads the store's values and
# their sources), DURATION each, first alone, then while WRITERS clients upload and submit small
# canonical CSV files of a member agency (POST /api/v1/submissions, then …/submit) as fast as they
# can, or at RATE submissions per second. Prints req/s and p99 of each read side by side, and the submissions written.
# BACKEND=postgres serves the same store from a throwaway PostgreSQL 15 cluster
# (tests/pg/cluster.sh): copied by its owner role with `gpsi migrate --to` and served as the
# application role, as docs/store.md sets it up. Environment as bench/serve.sh (GPSI_BIN,
# GPSI_DATA, GPSI_DB), and CONNS (32), WRK_THREADS (2), DURATION (15s), WRITERS (2), RATE (0: no
# pacing), PORT (18081), BACKEND (sqlite). Results: bench/RESULTS.md.
set -euo pipefail
name=serve_writes.sh
conns=${CONNS:-32}
wrk_threads=${WRK_THREADS:-2}
duration=${DURATION:-15s}
writers=${WRITERS:-2}
port=${PORT:-18081}
backend=${BACKEND:-sqlite}
command -v wrk >/dev/null || { echo "$name: wrk is not installed (scripts/setup.sh)" >&2; exit 2; }
. "$(dirname "$0")/serve_lib.sh"

g() { "$bin" -q --db "$db" "$@"; }
g org add bench --kind government --name-en "Benchmark member" --country USA >/dev/null
g org agree bench --dataset CRIME --indicator homicide_rate >/dev/null
g user add alice --org bench --role member-submitter >/dev/null
token=$(g token create alice --days 1 2>/dev/null | head -1)

if [ "$backend" = postgres ]; then
  # The cluster's folder must be reachable by the `postgres` user when run as root: not in $work.
  pg=/tmp/gpsi-bench-pg-$$
  bash "$root/tests/pg/cluster.sh" start "$pg"
  trap 'bash "$root/tests/pg/cluster.sh" stop "$pg"; cleanup' EXIT
  psql -h "$pg" -U postgres -d postgres -qAt -c "CREATE DATABASE bench OWNER gpsi_owner"
  export GPSI_BLOBS=$work/blobs
  g migrate --to "postgresql://gpsi_owner@/bench?host=$pg" >/dev/null
  psql -h "$pg" -U postgres -d bench -qAt -c "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO gpsi"
  db="postgresql://gpsi@/bench?host=$pg"
elif [ "$backend" != sqlite ]; then
  echo "$name: BACKEND is sqlite or postgres" >&2
  exit 2
fi

start_server --access-log off --intervals 0 --forecast-draws 0
echo "machine: $(nproc) cores; backend: $backend; load before: $(uptime | sed 's/.*load average: //')"

# read PATH: one wrk run; prints req/s and p99, and fails on any error wrk reports.
read_run() {
  local out errors
  out=$(wrk -t"$wrk_threads" -c"$conns" -d"$duration" --latency "$base$1")
  errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" || true)
  printf '%s req/s, p99 %s%s' "$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")" \
    "$(awk '$1 == "99%" { print $2 }' <<<"$out")" "${errors:+, $errors}"
  [ -z "$errors" ]
}

# writers N PHASE: N clients (threads of one Python process, each on a kept-alive connection, so
# that forking curl costs the machine nothing) upload and submit files of their own until
# $work/stop exists; prints "OK FAILED" at the end. RATE (per second, all writers; 0: as fast as
# they can) paces them.
writers() {
  python3 - "$1" "$2" "$port" "$token" "$work/stop" "${RATE:-0}" <<'PY'
import http.client, json, os, sys, threading, time
n, phase, port, token, stop, rate = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], float(sys.argv[6])
counts = {"ok": 0, "failed": 0}
lock = threading.Lock()
def writer(w):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    auth = {"Authorization": f"Bearer {token}"}
    i = 0
    while not os.path.exists(stop):
        i += 1
        t0 = time.monotonic()
        body = f"unit,year,indicator,value\nUSA,{1990 + i % 30},homicide_rate,{w + 3}.{phase}{i:06d}\n"
        ok = False
        try:
            c.request("POST", "/api/v1/submissions?dataset=CRIME", body, {**auth, "Content-Type": "text/csv"})
            r = c.getresponse(); data = r.read()
            if r.status == 201:
                c.request("POST", f"/api/v1/submissions/{json.loads(data)['id']}/submit", "", auth)
                r = c.getresponse(); r.read()
                ok = r.status == 200
        except (OSError, http.client.HTTPException):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        with lock:
            counts["ok" if ok else "failed"] += 1
        if rate > 0:
            time.sleep(max(0.0, n / rate - (time.monotonic() - t0)))
threads = [threading.Thread(target=writer, args=(w,)) for w in range(n)]
for t in threads: t.start()
for t in threads: t.join()
print(counts["ok"], counts["failed"])
PY
}

phase=0
for path in /api/v1/scores /api/v1/units/USA; do
  phase=$((phase + 1))
  alone=$(read_run "$path")
  rm -f "$work/stop"
  writers "$writers" "$phase" >"$work/written" &
  wpid=$!
  sleep 1
  busy=$(read_run "$path")
  touch "$work/stop"
  wait "$wpid"
  read -r ok failed <"$work/written"
  printf '%-20s alone: %s\n%-20s with %d writers: %s; %s submissions written, %s failed\n' \
    "GET $path" "$alone" "" "$writers" "$busy" "$ok" "$failed"
done
