#!/usr/bin/env bash
# Monte Carlo benchmark: `gpsi uncertainty` on COINr's ASEM example with the design of COINr's
# sensitivity vignette (winmax 1–5; min-max [1,100] or z-score (10,2); weights ±25 % on levels
# 2 and 3; arithmetic or geometric mean), N = 500 and N = 100,000, 1 and 2 threads, 1 and 2 MPI
# processes; and `gpsi sensitivity` on the GPSI method with N = 10,000. Prints wall time, the
# command's own Monte Carlo time (runs/s) and peak memory. Results: bench/RESULTS.md.
# Environment: GPSI_BIN (default build/gpsi), GPSI_DATA (default ../shared/data), BENCH_BIG_N.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${GPSI_BIN:-$root/build/gpsi}
data=${GPSI_DATA:-$(dirname "$root")/shared/data}
big=${BENCH_BIG_N:-100000}
work=$(mktemp -d "${TMPDIR:-/tmp}/gpsi-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

asem=(--coinr-data "$data/asem/iData.csv" --coinr-meta "$data/asem/iMeta.csv"
  --set pipeline.impute=group-mean:EurAsia_group --set pipeline.screen=na:0.9 --set pipeline.treat=jrc:5
  --set 'uncertainty.treat=["jrc:1","jrc:2","jrc:3","jrc:4","jrc:5"]'
  --set 'uncertainty.normalise=["minmax:1:100","zscore:10:2"]'
  --set 'uncertainty.aggregate=["arithmetic","geometric"]'
  --set 'uncertainty.weight_noise=[[2,0.25],[3,0.25]]')

# run LABEL CMD…: one timed run; prints wall seconds, peak RSS and the command's own summary line.
run() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>/dev/null
  read -r wall rss <"$work/time"
  printf '%-44s wall %7.2f s  peak %6.1f MB  %s\n' "$label" "$wall" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" "$(tail -n 1 "$work/out")"
}

for n in 500 "$big"; do
  run "ASEM uncertainty N=$n, 1 thread" "$bin" uncertainty "${asem[@]}" --samples "$n" --threads 1 --out "$work/u"
  run "ASEM uncertainty N=$n, 2 threads" "$bin" uncertainty "${asem[@]}" --samples "$n" --threads 2 --out "$work/u"
  run "ASEM uncertainty N=$n, 2 MPI ranks x 1 thread" mpirun --oversubscribe -np 2 "$bin" uncertainty "${asem[@]}" \
    --samples "$n" --threads 1 --out "$work/u"
done

"$bin" -q --db "$work/s.db" init --reference "$data" >/dev/null
"$bin" -q --db "$work/s.db" ingest "$data" >/dev/null
run "GPSI sensitivity N=10000, 2 threads" "$bin" --db "$work/s.db" sensitivity --method "$root/methods/gpsi.toml" \
  --samples 10000 --threads 2 --out "$work/s"
run "GPSI uncertainty N=10000, 2 threads" "$bin" --db "$work/s.db" uncertainty --method "$root/methods/gpsi.toml" \
  --samples 10000 --threads 2 --out "$work/g"
