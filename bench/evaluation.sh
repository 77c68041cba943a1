#!/usr/bin/env bash
# gpsi evaluation (issue 19): the wall time of a forum-sized campaign's steps on a fresh store: the
# synthetic campaign (52 applications, 39 organisations, JUDGES judges), set-up, assignment, every
# judge sealing their sheets through the platform, and the close, which fits the mixed model once
# and again for each of the rules' 1,000 bootstrap replicates (on every core). Environment: GPSI_BIN
# (default build/gpsi), JUDGES (12). Results: bench/RESULTS.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GPSI_BIN:-$root/build/gpsi}
judges=${JUDGES:-12}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/s.db
rules=$root/methods/evaluation/overseas-practice.toml
g() { "$bin" --db "$db" "$@"; }
as() { local who=$1; shift; "$bin" --db "$db" evaluation --token-file "$work/$who.tok" "$@"; }
timed() {
  local label=$1 start end
  shift
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  printf '%-52s %6.2f s\n' "$label" "$(echo "$end - $start" | bc)"
}

g -q init >/dev/null
g evaluation synth --rules "$rules" --out "$work/c" --judges "$judges" --seed 1 >/dev/null
g org add forum --kind secretariat --name-en Secretariat >/dev/null
g org add experts --kind think-tank --name-en Experts >/dev/null
g user add sam --org forum --role secretariat >/dev/null
g token create sam >"$work/sam.tok" 2>/dev/null
for login in $(tail -n +2 "$work/c/judges.csv" | cut -d, -f1); do
  g user add "$login" --org experts --role reader >/dev/null
  g token create "$login" >"$work/$login.tok" 2>/dev/null
done
setup() {
  as sam create prize --rules "$rules" && as sam entries prize --applications "$work/c/applications.csv" \
    --judges "$work/c/judges.csv" && as sam assign prize && as sam open prize
}
timed "create, entries, assign, open" setup
seal() { for f in "$work"/c/sheets/*.csv; do as "$(basename "$f" .csv)" score prize --file "$f"; done; }
timed "$(($(cat "$work"/c/sheets/*.csv | wc -l) - $(ls "$work"/c/sheets | wc -l))) sheets sealed (one gpsi run per judge)" seal
timed "close: results with 1,000 bootstrap refits ($(nproc) cores)" as sam close prize
