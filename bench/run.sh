#!/usr/bin/env bash
# Whole-command ingest benchmark: `gpsi --db DB ingest FILE` on generated files, timed with
# /usr/bin/time -v (wall clock, CPU, peak RSS). Builds nothing: it runs $GPSI_BIN (default
# build/gpsi). Files and stores go to a temporary folder outside the repository, removed at exit.
# Results and how to read them: bench/RESULTS.md.
#
# Environment: GPSI_BIN (binary), BENCH_LONG_ROWS (default "1000000 5000000"), BENCH_WIDE_ROWS
# (default 1000000), BENCH_ORDER (long-file row order, indicator|unit, default indicator),
# BENCH_REPEAT (runs per case, default 3), BENCH_KEEP=1 (keep the temporary folder).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${GPSI_BIN:-$root/build/gpsi}
long_rows=${BENCH_LONG_ROWS:-"1000000 5000000"}
wide_rows=${BENCH_WIDE_ROWS:-1000000}
order=${BENCH_ORDER:-indicator}
repeat=${BENCH_REPEAT:-3}

[ -x "$bin" ] || { echo "run.sh: no gpsi binary at $bin (run make, or set GPSI_BIN)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "run.sh: needs GNU time at /usr/bin/time (make setup installs it)" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

work=$(mktemp -d "${TMPDIR:-/tmp}/gpsi-bench.XXXXXX")
if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "run.sh: keeping $work"; else trap 'rm -rf "$work"' EXIT; fi

# A reference store (ISO units, aggregates) copied fresh for every run, and the units it knows.
"$bin" --db "$work/ref.db" -q init >/dev/null
"$bin" --db "$work/ref.db" --json units >"$work/units.json"

echo "generating files in $work ..."
cases=()
for n in $long_rows; do
  python3 "$here/gen_long.py" "$n" "$work/bench_long_$n.csv" "$work/units.json" "$order"
  cases+=("long $n $work/bench_long_$n.csv")
done
for n in $wide_rows; do
  python3 "$here/gen_wide.py" "$n" "$work/bench_wide_$n.csv" "$work/units.json" "$root/data/reference/aggregates.csv"
  cases+=("wide $n $work/bench_wide_$n.csv")
done

results="$work/results.tsv"
: >"$results"
for c in "${cases[@]}"; do
  read -r kind n file <<<"$c"
  args=(ingest "$file")
  [ "$kind" = wide ] && args=(ingest --descriptor "$here/wb_bulk.toml" "$file")
  for ((i = 1; i <= repeat; i++)); do
    rm -rf "$work/run.db" "$work/run.db-wal" "$work/run.db-shm" "$work/run.db.blobs"
    cp "$work/ref.db" "$work/run.db"
    sync
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -v -o "$work/time.txt" "$bin" --db "$work/run.db" --json "${args[@]}" >"$work/out.json"
    python3 - "$kind" "$n" "$file" "$work/time.txt" "$work/out.json" "$load" >>"$results" <<'EOF'
import json, os, sys
kind, n, path, time_txt, out_json, load = sys.argv[1:]
t = {}
for line in open(time_txt):
    k, _, v = line.strip().rpartition(": ")
    t[k] = v
wall = t["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")
secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
f = json.load(open(out_json))["files"][0]
if f["status"] != "ingested" or f["rows"] != int(n):
    sys.exit(f"run.sh: {path}: status {f['status']}, rows {f['rows']} (expected ingested, {n}): {f['error']}")
print("\t".join(str(x) for x in (kind, n, os.path.getsize(path), secs, t["User time (seconds)"],
                                   t["System time (seconds)"], t["Maximum resident set size (kbytes)"],
                                   f["accepted"], f["quarantined"], load)))
EOF
  done
done

python3 - "$results" "$repeat" <<'EOF'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
print(f"\nruns per case: {sys.argv[2]}; wall and CPU are medians, best wall in brackets; RSS is the largest of the runs")
head = ("file", "data rows", "MB", "wall s", "user+sys s", "rows/s", "peak RSS MB", "stored", "quar.", "load")
fmt = "{:<5} {:>10} {:>7} {:>15} {:>10} {:>10} {:>11} {:>9} {:>6} {:>9}"
print(fmt.format(*head))
seen = []
for r in rows:
    if (r[0], r[1]) not in seen:
        seen.append((r[0], r[1]))
for kind, n in seen:
    rs = [r for r in rows if (r[0], r[1]) == (kind, n)]
    walls = [float(r[3]) for r in rs]
    cpu = statistics.median(float(r[4]) + float(r[5]) for r in rs)
    wall = statistics.median(walls)
    rss = max(int(r[6]) for r in rs) / 1024
    loads = "/".join(r[9] for r in rs)
    print(fmt.format(kind, n, f"{int(rs[0][2]) / 1e6:.0f}", f"{wall:.2f} [{min(walls):.2f}]", f"{cpu:.2f}",
                     f"{int(n) / wall:,.0f}", f"{rss:.1f}", rs[0][7], rs[0][8], loads))
EOF
