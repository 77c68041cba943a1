#!/usr/bin/env bash
# Whole-process benchmark of `gpsi build`: (1) the default GPSI method over every year, from a
# store holding all of ../shared/data; (2) COINr's ASEM example pipeline from its tables. Each
# command runs BENCH_REPEAT times (default 21); the script prints min / median / max wall time.
# The store is made in a temporary folder outside the repository (not timed). Results:
# bench/RESULTS.md. Environment: GPSI_BIN (default build/gpsi), GPSI_DATA (default ../shared/data).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${GPSI_BIN:-$root/build/gpsi}
data=${GPSI_DATA:-$(dirname "$root")/shared/data}
repeat=${BENCH_REPEAT:-21}
[ -x "$bin" ] || { echo "build.sh: no gpsi binary at $bin (run make, or set GPSI_BIN)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/gpsi-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$bin" -q --db "$work/s.db" init --reference "$data" >/dev/null
"$bin" -q --db "$work/s.db" ingest "$data" >/dev/null

# time_runs NAME CMD…: wall time of each run in ms (date +%s%N around the process).
time_runs() {
  local name=$1; shift
  local times=()
  for ((i = 0; i < repeat; i++)); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v name="$name" '
    { v[NR] = $1 } END { printf "%-34s runs %3d   min %7.1f ms   median %7.1f ms   max %7.1f ms\n",
      name, NR, v[1] / 1000, v[int((NR + 1) / 2)] / 1000, v[NR] / 1000 }'
}

asem=(--set pipeline.denominate=on --set pipeline.impute=group-mean:EurAsia_group --set pipeline.screen=na:0.9
  --set pipeline.treat=jrc:5 --set pipeline.normalise=minmax:0:100 --set pipeline.aggregate=arithmetic)
time_runs "gpsi build, GPSI method, all years" "$bin" -q --db "$work/s.db" build --method "$root/methods/gpsi.toml" --out "$work/gpsi"
time_runs "gpsi build, ASEM (COINr tables)" "$bin" -q build --coinr-data "$data/asem/iData.csv" \
  --coinr-meta "$data/asem/iMeta.csv" "${asem[@]}" --out "$work/asem"
"$bin" --json --db "$work/s.db" build --method "$root/methods/gpsi.toml" --out "$work/gpsi" |
  python3 -c 'import json,sys; j=json.load(sys.stdin); print("GPSI method: %d unit-years, %d scored, years %s-%s" % (j["unit_years"], j["scored"], j["years"][0], j["years"][-1]))'
