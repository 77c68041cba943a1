#!/usr/bin/env bash
# Monte Carlo throughput of two gpsi binaries side by side in one session (issue 14's before and
# after): `gpsi uncertainty` on COINr's ASEM example (bench/uncertainty.sh's design, N = 100,000)
# and on the GPSI method over `make demo`'s store (N = 20,000), 1 and 2 threads, the binaries
# alternated ROUNDS times. Prints each command's own Monte Carlo rate (runs/s) and its wall time
# (which includes the builds before the runs), and checks that both binaries wrote the same
# rank_stats.csv and score_stats.csv.
# Usage: bench/compare_uncertainty.sh OLD_BINARY NEW_BINARY [DB]   (ROUNDS=3 by default)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
old=$1 new=$2 db=${3:-$root/out/demo.db}
data=${GPSI_DATA:-$(dirname "$root")/shared/data}
rounds=${ROUNDS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/gpsi-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT
asem=(uncertainty --coinr-data "$data/asem/iData.csv" --coinr-meta "$data/asem/iMeta.csv"
  --set pipeline.impute=group-mean:EurAsia_group --set pipeline.screen=na:0.9 --set pipeline.treat=jrc:5
  --set 'uncertainty.treat=["jrc:1","jrc:2","jrc:3","jrc:4","jrc:5"]'
  --set 'uncertainty.normalise=["minmax:1:100","zscore:10:2"]'
  --set 'uncertainty.aggregate=["arithmetic","geometric"]'
  --set 'uncertainty.weight_noise=[[2,0.25],[3,0.25]]')
gpsi=(--db "$db" uncertainty --method "$root/methods/gpsi.toml")

# one LABEL BIN OUT ARGS…: one timed run, printing the command's own rate and the wall time.
one() {
  local label=$1 bin=$2 out=$3; shift 3
  local t0 t1 line
  t0=$(date +%s.%N)
  line=$("$bin" "$@" --out "$out" 2>&1 | tail -n 1)
  t1=$(date +%s.%N)
  grep -q 'runs/s' <<<"$line" || { echo "$label $bin: $line" >&2; exit 1; }
  printf '%-34s %-4s wall %6.2f s  %s\n' "$label" "$(basename "$bin")" "$(echo "$t1 - $t0" | bc)" \
    "$(grep -o '([0-9]* runs/s)' <<<"$line")"
}

for r in $(seq "$rounds"); do
  for th in 1 2; do
    for which in old new; do
      bin=${!which}
      one "ASEM N=100000, $th thread(s)" "$bin" "$work/asem-$which-$th" "${asem[@]}" --samples 100000 --seed 1 --threads "$th"
      one "GPSI N=20000, $th thread(s)" "$bin" "$work/gpsi-$which-$th" "${gpsi[@]}" --samples 20000 --seed 1 --threads "$th"
    done
  done
done
for case in asem gpsi; do
  for th in 1 2; do
    for f in rank_stats.csv score_stats.csv; do
      cmp -s "$work/$case-old-$th/$f" "$work/$case-new-$th/$f" || { echo "DIFFERENT: $case $th $f"; exit 1; }
    done
  done
done
echo "rank_stats.csv and score_stats.csv identical between the two binaries"
