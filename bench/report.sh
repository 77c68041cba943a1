#!/usr/bin/env bash
# gpsi report (issue 18): the wall time of the full publication, the annual report and a profile
# of every ranked country, in both languages, as HTML and PDF (two `gpsi report --profiles all
# --pdf` runs, each also building the index and INTERVALS Monte Carlo runs); then of HTML alone;
# then of the report with one profile (CHN) as PDF, whose difference from HTML alone bounds what a
# profile costs; and one profile as the API prints it on first request (GET
# /api/v1/reports/en/profiles/CHN, a fresh server each time). Environment as bench/serve.sh
# (GPSI_BIN, GPSI_DATA, GPSI_DB), and INTERVALS (200), WORKERS (2). Results: bench/RESULTS.md.
set -euo pipefail
name=report.sh
. "$(dirname "$0")/serve_lib.sh"
intervals=${INTERVALS:-200}
workers=${WORKERS:-2}

# Prints the seconds `gpsi report ARGS…` takes for each language in turn, and their sum.
timed() {
  local label=$1 total=0
  shift
  for lang in en zh; do
    local start end
    start=$(date +%s.%N)
    "$bin" -q --db "$db" report --method "$root/methods/gpsi.toml" --intervals "$intervals" --seed 1 \
      --lang "$lang" --date 2026-01-01 --workers "$workers" --out "$work/report-$lang" "$@"
    end=$(date +%s.%N)
    total=$(echo "$total + $end - $start" | bc)
    printf '%-44s %-2s %6.1f s\n' "$label" "$lang" "$(echo "$end - $start" | bc)"
  done
  printf '%-44s %-2s %6.1f s\n' "$label" "=" "$total"
}

timed "report + every profile, HTML and PDF" --profiles all --pdf
echo "  $(find "$work" -name '*.pdf' | wc -l) PDFs, $(du -sh "$work" | cut -f1)"
rm -rf "$work"/report*
timed "report + every profile, HTML only" --profiles all
timed "report + one profile (CHN), HTML and PDF" --profiles CHN --pdf

port=${PORT:-18085}
start_server --intervals "$intervals"
for unit in CHN USA; do
  curl -s -o "$work/$unit.pdf" -w "GET /api/v1/reports/en/profiles/$unit (first)  %{time_total} s, HTTP %{http_code}\n" \
    "$base/api/v1/reports/en/profiles/$unit"
done
curl -s -o /dev/null -w "GET /api/v1/reports/en/profiles/CHN (cached)  %{time_total} s, HTTP %{http_code}\n" \
  "$base/api/v1/reports/en/profiles/CHN"
