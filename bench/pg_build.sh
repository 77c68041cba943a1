#!/usr/bin/env bash
# `gpsi build` of the default GPSI method on both backends, side by side in one run: a store with
# every data set of ../shared/data (SQLite, made in a temporary folder, not timed), copied by
# `gpsi migrate --to` into a throwaway PostgreSQL 15 cluster (tests/pg/cluster.sh: local socket,
# fsync off — the build reads, and writes one run row), then each build run BENCH_REPEAT times
# (default 11), alternating the backends so both see the same machine. Prints min / median / max
# wall time and the ratio of the medians. Results: bench/RESULTS.md. Environment: GPSI_BIN
# (default build/gpsi), GPSI_DATA (default ../shared/data).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${GPSI_BIN:-$root/build/gpsi}
data=${GPSI_DATA:-$(dirname "$root")/shared/data}
repeat=${BENCH_REPEAT:-11}
[ -x "$bin" ] || { echo "pg_build.sh: no gpsi binary at $bin (run make, or set GPSI_BIN)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/gpsi-bench.XXXXXX")
cluster=/tmp/gpsi-pg-bench-$$
trap 'bash "$root/tests/pg/cluster.sh" stop "$cluster"; rm -rf "$work"' EXIT

"$bin" -q --db "$work/s.db" init --reference "$data" >/dev/null
"$bin" -q --db "$work/s.db" ingest "$data" >/dev/null
bash "$root/tests/pg/cluster.sh" start "$cluster"
psql -h "$cluster" -U postgres -d postgres -qAt -c "CREATE DATABASE gpsi OWNER gpsi"
pg="postgresql://gpsi@/gpsi?host=$cluster"
export GPSI_BLOBS=$work/pg.blobs
t0=$(date +%s%N)
"$bin" -q --db "$work/s.db" migrate --to "$pg"
echo "gpsi migrate --to (whole shared data): $(( ($(date +%s%N) - t0) / 1000000 )) ms"

method=$root/methods/gpsi.toml
declare -A times
for ((i = 0; i < repeat; i++)); do
  for backend in sqlite postgresql; do
    db=$work/s.db
    [ "$backend" = sqlite ] || db=$pg
    t0=$(date +%s%N)
    "$bin" -q --db "$db" build --method "$method" --out "$work/$backend" >/dev/null
    times[$backend]+="$(( ($(date +%s%N) - t0) / 1000 )) "
  done
done
cmp -s "$work/sqlite/scores.csv" "$work/postgresql/scores.csv" || { echo "scores.csv differ" >&2; exit 1; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for backend in sqlite postgresql; do
  echo "${times[$backend]}" | tr ' ' '\n' | grep . | sort -n | awk -v name="$backend" '
    { v[NR] = $1 } END { printf "gpsi build, GPSI method, %-10s runs %3d   min %7.1f ms   median %7.1f ms   max %7.1f ms\n",
      name, NR, v[1] / 1000, v[int((NR + 1) / 2)] / 1000, v[NR] / 1000 }'
done
awk -v a="$(echo "${times[sqlite]}" | median)" -v b="$(echo "${times[postgresql]}" | median)" \
  'BEGIN { printf "PostgreSQL / SQLite (medians): %.2f (target: at most 2)\n", b / a }'
echo "scores.csv identical on both backends"
