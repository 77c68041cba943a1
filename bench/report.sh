#!/usr/bin/env bash
# gpsi report (issue 18): the wall time of the full publication, the annual report and a profile
# of every ranked country, in both languages, as HTML and PDF: one `gpsi report --lang en,zh
# --profiles all --pdf` run (the index, its INTERVALS Monte Carlo runs and the forecasts made once,
# every page printed by one pool of WORKERS), and for comparison one run per language; then HTML
# alone; then the report with one profile (CHN) as PDF; and one profile as the API prints it
# (GET /api/v1/reports/en/profiles/{ISO3}): the first request right after the server is ready
# (its WeasyPrint process may still be starting), then profiles not yet printed, then one from the
# response cache. Environment as bench/serve.sh (GPSI_BIN, GPSI_DATA, GPSI_DB), and INTERVALS
# (200), WORKERS (2). Results: bench/RESULTS.md.
set -euo pipefail
name=report.sh
. "$(dirname "$0")/serve_lib.sh"
intervals=${INTERVALS:-200}
workers=${WORKERS:-2}

# Prints the seconds `gpsi report ARGS…` takes.
timed() {
  local label=$1 start end
  shift
  start=$(date +%s.%N)
  "$bin" -q --db "$db" report --method "$root/methods/gpsi.toml" --intervals "$intervals" --seed 1 \
    --date 2026-01-01 --workers "$workers" "$@"
  end=$(date +%s.%N)
  printf '%-58s %6.1f s\n' "$label" "$(echo "$end - $start" | bc)"
}

timed "both editions in one run (--lang en,zh), HTML and PDF" --lang en,zh --profiles all --pdf --out "$work/both"
echo "  $(find "$work/both" -name '*.pdf' | wc -l) PDFs, $(du -sh "$work/both" | cut -f1)"
rm -rf "$work/both"
for lang in en zh; do
  timed "one edition ($lang), HTML and PDF" --lang "$lang" --profiles all --pdf --out "$work/$lang"
done
rm -rf "$work"/en "$work"/zh
timed "both editions, HTML only" --lang en,zh --profiles all --out "$work/html"
timed "both editions, report + one profile (CHN), HTML and PDF" --lang en,zh --profiles CHN --pdf --out "$work/one"

port=${PORT:-18085}
start_server --intervals "$intervals"
for unit in CHN USA BEN FRA; do
  curl -s -o "$work/$unit.pdf" -w "GET /api/v1/reports/en/profiles/$unit (first)  %{time_total} s, HTTP %{http_code}\n" \
    "$base/api/v1/reports/en/profiles/$unit"
done
curl -s -o /dev/null -w "GET /api/v1/reports/en/profiles/CHN (cached)  %{time_total} s, HTTP %{http_code}\n" \
  "$base/api/v1/reports/en/profiles/CHN"
