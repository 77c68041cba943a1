#!/usr/bin/env bash
# A member's 100,000-row upload, validated with every check (issue 17): `gpsi submission upload`
# (the ingest's checks, the organisation's countries and the data set's indicators) and
# `gpsi submission submit` (quarantine, then the flags: outliers, the UN difference, series
# breaks against the index), timed on a store holding all of ../shared/data. The rows are 100,000
# cells of the index's own resolved panel, 1 in 100 of them multiplied by 5 so that flags are
# raised (cells with negative values, the WGI estimates, are left out: canonical CSV quarantines
# them). Each run starts from a copy of the prepared store; BENCH_REPEAT runs (default 7).
# Results: bench/RESULTS.md. Environment: GPSI_BIN (default build/gpsi), GPSI_DATA.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${GPSI_BIN:-$root/build/gpsi}
data=${GPSI_DATA:-$(dirname "$root")/shared/data}
repeat=${BENCH_REPEAT:-7}
rows=${BENCH_ROWS:-100000}
[ -x "$bin" ] || { echo "upload.sh: no gpsi binary at $bin (run make, or set GPSI_BIN)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/gpsi-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
g() { "$bin" -q --db "$work/s.db" "$@"; }

g init --reference "$data" >/dev/null
g ingest "$data" >/dev/null
g export | python3 -c '
import csv, sys
# Canonical CSV holds counts, rates and scores (a negative value is quarantined): the WGI estimates are left out.
rows, n = [r for r in list(csv.reader(sys.stdin))[1:] if float(r[3]) >= 0], int(sys.argv[1])
if len(rows) < n: sys.exit(f"upload.sh: the panel has {len(rows)} cells, fewer than {n}")
with open(sys.argv[2], "w") as out, open(sys.argv[3], "w") as units, open(sys.argv[4], "w") as inds:
    out.write("unit,year,indicator,value\n")
    for i, (unit, year, ind, value, *_ ) in enumerate(rows[:n]):
        out.write(f"{unit},{year},{ind},{float(value) * (5 if i % 100 == 0 else 1)!r}\n")
    units.write(" ".join(sorted({r[0] for r in rows[:n]})))
    inds.write(" ".join(sorted({r[2] for r in rows[:n]})))
' "$rows" "$work/upload.csv" "$work/units" "$work/indicators"
# shellcheck disable=SC2046
g org add bench --kind government --name-en "Benchmark member" --country $(cat "$work/units") >/dev/null
# shellcheck disable=SC2046
g org agree bench --dataset BULK --indicator $(cat "$work/indicators") >/dev/null
g user add alice --org bench --role member-submitter >/dev/null
g token create alice --days 1 >"$work/token" 2>/dev/null
cp "$work/s.db" "$work/prepared.db"

echo "rows: $rows, units: $(wc -w <"$work/units"), indicators: $(wc -w <"$work/indicators")"
for ((i = 0; i < repeat; i++)); do
  cp "$work/prepared.db" "$work/s.db"
  rm -rf "$work/s.db.blobs"
  t0=$(date +%s%N)
  out=$("$bin" --db "$work/s.db" --json submission --token-file "$work/token" upload "$work/upload.csv" --dataset BULK)
  t1=$(date +%s%N)
  id=$(grep -o '"id":[0-9]*' <<<"$out" | head -1 | cut -d: -f2)
  state=$("$bin" --db "$work/s.db" --json submission --token-file "$work/token" submit "$id" | grep -o '"state":"[a-z]*"')
  t2=$(date +%s%N)
  flags=$("$bin" --db "$work/s.db" --json submission --token-file "$work/token" show "$id" | grep -o '"flag":' | wc -l)
  echo "run $i: upload $(( (t1 - t0) / 1000000 )) ms, submit (validation and flags) $(( (t2 - t1) / 1000000 )) ms," \
    "total $(( (t2 - t0) / 1000000 )) ms; $state, $flags flags"
done
