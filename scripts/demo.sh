#!/usr/bin/env bash
# The main job: a fresh store, the country reference, the official releases (`gpsi update`, or the
# local folder when offline), every other real data set in $GPSI_DATA (default ../shared/data) with
# a per-source summary, the GDELT event sample, then the default GPSI method built, validated against
# measures it does not read, audited and given rank intervals for every year with enough data; last, the dashboard served on
# http://127.0.0.1:8080 until Ctrl-C (GPSI_DEMO_SERVE=0 skips it, for CI and scripts;
# GPSI_DEMO_PORT picks another port).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${GPSI_DATA:-$(cd .. && pwd)/shared/data}"
[ -d "$data" ] || { echo "demo: no data folder at $data (set GPSI_DATA)" >&2; exit 2; }
mkdir -p out
db=out/demo.db
rm -rf "$db" "$db-wal" "$db-shm" "$db.blobs"
echo "== gpsi init (ISO 3166 from iso-codes, UN M49 from $data)"
build/gpsi --db "$db" init --reference "$data"
echo
# Current releases from the official endpoints when they answer; otherwise the same formats from
# the local folder (docs/update.md). A source that fails stores nothing; the demo goes on.
if build/gpsi --db "$db" -q update --dry-run --only world-bank:SP.POP.TOTL --retries 0 --connect-timeout 5 >/dev/null 2>&1; then
  echo "== gpsi update: the network answers, so current releases come from the official endpoints"
  build/gpsi --db "$db" update --connect-timeout 10 || echo "demo: some endpoints failed (above); their local copies follow"
else
  echo "== gpsi update --from $data: the endpoints cannot be reached (no network), so the same formats come from the local folder"
  build/gpsi --db "$db" update --from "$data"
fi
echo
echo "== gpsi ingest $data: every other data set (files already stored are reported unchanged)"
build/gpsi --db "$db" ingest "$data"
echo
echo "== gpsi events: GDELT event records (tier 4, big data) counted by country and year"
build/gpsi --db "$db" events "$data"/events_gdelt_sample/*.export.CSV
echo
echo "== sources in the store (tier 1 UN agency · 2 government · 3 think tank · 4 big data/other)"
build/gpsi --db "$db" sources
echo
echo "== example: China's resolved homicide rate, with provenance"
build/gpsi --db "$db" show CHN --indicator homicide_rate | tail -n 4
echo
build/gpsi --db "$db" resolve --report out/disagreements.csv
echo
# The member platform (docs/platform.md): a demo member agency shares real government data that
# is not in the data folder, the U.S. FBI's estimates (../shared/member_samples), through review.
members="$(dirname "$data")/member_samples/crime_us_fbi_ucr"
if [ -f "$members/us_national_crime_tidy.csv" ]; then
  echo "== the member platform: a demo member agency submits the U.S. FBI's homicide estimates, approves and publishes them"
  g() { build/gpsi --db "$db" "$@"; }
  tokens=out/demo-tokens
  rm -rf "$tokens" && mkdir -m 700 "$tokens"
  g org add forum --kind secretariat --name-en "GPSCF Secretariat (demo)" --name-zh "全球公安合作论坛秘书处（演示）" >/dev/null
  g org add us-fbi --kind government --name-en "U.S. Federal Bureau of Investigation (demo member)" \
    --name-zh "美国联邦调查局（演示成员）" --country USA
  g org agree us-fbi --dataset CRIME --indicator homicide_rate >/dev/null
  # An overseas enterprise of the risk service (docs/risk.md, "Projects on the platform"): its
  # submitter (wang) has projects assessed on the dashboard's project pages (#/risk/projects).
  g org add cn-example-roads --kind enterprise --name-en "Example Roads Co. (demo enterprise)" \
    --name-zh "示例路桥公司（演示企业）" >/dev/null
  # Each demo account gets an API token for the steps below and a random password for the
  # dashboard's login (out/demo-tokens/passwords, readable by this user only); root administers.
  for spec in "alice us-fbi member-submitter" "bob us-fbi member-approver" "sam forum secretariat" "root forum admin" \
    "wang cn-example-roads member-submitter"; do
    read -r login org role <<<"$spec"
    password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')
    g user add "$login" --org "$org" --role "$role" --password-stdin <<<"$password" >/dev/null
    printf '%-6s %-17s %s\n' "$login" "$role" "$password" >>"$tokens/passwords"
    g token create "$login" --days 1 --label demo >"$tokens/$login" 2>/dev/null
  done
  as() { local who=$1; shift; build/gpsi --db "$db" submission --token-file "$tokens/$who" "$@"; }
  up=$(build/gpsi --db "$db" --json submission --token-file "$tokens/alice" upload "$members/us_national_crime_tidy.csv" \
    --dataset CRIME --descriptor examples/members/us_fbi_ucr.toml --note "UCR estimated crimes, national, 1995-2019")
  field() { grep -o "\"$1\":[0-9]*" <<<"$up" | head -1 | cut -d: -f2; }
  id=$(field id)
  echo "uploaded as submission $id (draft, hidden from the index): $(field rows) rows read, $(field accepted) accepted"
  as alice submit "$id"
  # Each validation flag needs the member's word before approval. The one expected: 2001, where the
  # FBI's count leaves out the victims of 11 September and UNODC's includes them.
  build/gpsi --db "$db" --json submission --token-file "$tokens/alice" show "$id" |
    python3 -c 'import json, sys; [print(f["flag"], f["year"]) for f in json.load(sys.stdin)["flags"]]' |
    while read -r flag year; do
      text="checked against the FBI's published table for $year"
      [ "$year" = 2001 ] && text="UCR counts leave out the 2,977 victims of 11 September 2001; UNODC's include them"
      as alice comment "$id" "$flag" --text "$text"
    done
  as bob approve "$id" && as sam accept "$id" && as sam publish "$id"
  echo "-- USA's homicide rate 2015-2019: every source (* = the one the index uses: UNODC, tier 1, beside the FBI's, tier 2)"
  g show USA --indicator homicide_rate --all-sources | awk '/^\* [0-9][0-9][0-9][0-9] / { y = $2 } y >= 2015 && y <= 2019'
  g audit-log verify
  g export --format sdmx-csv >out/gpsi.sdmx.csv
  g catalogue >out/catalogue.jsonld
  echo "-- published data as SDMX-CSV 2.0: $(($(wc -l <out/gpsi.sdmx.csv) - 1)) values (out/gpsi.sdmx.csv);" \
    "sources as a DCAT catalogue: $(grep -c '"dcat:Dataset"' out/catalogue.jsonld) releases (out/catalogue.jsonld)"
  echo
  echo "== the excellent-practice evaluation: a synthetic campaign of the forum's size (52 applications, 39"
  echo "   organisations, 12 judges with known biases), assigned, scored by each judge, closed and published"
  echo "   (docs/evaluation.md; the rankings side by side, reliability, selection odds; out/evaluation)"
  bash scripts/evaluation_demo.sh "$db" "$tokens"
  echo
fi
echo "== gpsi build --method methods/gpsi.toml: every year with enough data, top and bottom 10 of the latest"
build/gpsi --db "$db" build --method methods/gpsi.toml --out out/gpsi --table 10
echo
echo "== gpsi validate: the index against measures it does not read (GPI, WGI), known groups, dimensions,"
echo "   rank shifts from method 2026.1 and the fallback series' agreement (tables in out/gpsi-validate)"
build/gpsi --db "$db" validate --method methods/gpsi.toml --previous methods/gpsi-2026.1.toml --out out/gpsi-validate >/dev/null
cat out/gpsi-validate/summary.md
echo
echo "== gpsi audit --method methods/gpsi.toml: coherence of the latest year (summary; tables in out/gpsi-audit)"
build/gpsi --db "$db" audit --method methods/gpsi.toml --out out/gpsi-audit >/dev/null
head -n 40 out/gpsi-audit/summary.txt
echo
echo "== gpsi uncertainty --method methods/gpsi.toml: 2,000 Monte Carlo runs, a 90 % interval beside every rank"
build/gpsi --db "$db" uncertainty --method methods/gpsi.toml --samples 2000 --seed 1 --out out/gpsi-uncertainty --table
echo
echo "== gpsi forecast --method methods/gpsi.toml: every indicator, dimension and the index 1–3 years ahead"
echo "   (1,000 draws of the pooled model; the 10 countries most likely to deteriorate next year)"
build/gpsi --db "$db" forecast --method methods/gpsi.toml --seed 1 --out out/gpsi-forecast
awk -F, 'NR > 1 && $2 == $2 + 0 && $5 != "" { if (!first) first = $2; if ($2 == first) print $5 "\t" $1 "\t" $3 "\t" $4 }' \
  out/gpsi-forecast/outlook.csv | sort -t$'\t' -k1,1gr |
  awk -F'\t' 'BEGIN { print "  P(score falls ≥ 5)  unit  score  rank" } NR <= 10 { printf "  %17.3f  %-4s  %5.1f  %4s\n", $1, $2, $3, $4 }'
echo
echo "== gpsi warn --method methods/gpsi.toml: early warnings on the latest data (the high ones; all in out/gpsi-warn)"
build/gpsi --db "$db" warn --method methods/gpsi.toml --seed 1 --out out/gpsi-warn | awk 'NR == 1 || /\[high\]/'
echo
echo "== gpsi risk: the INFORM-style country risk model (methods/risk.toml) — every country's sheet, one shown,"
echo "   and whether the classes separate next year's conflicts (docs/risk.md)"
build/gpsi --db "$db" risk countries --seed 1 --out out/risk/countries
build/gpsi --db "$db" risk country KEN --seed 1 --rank-runs 200 --out out/risk
build/gpsi --db "$db" risk validate --out out/risk/validation | grep -v "^    "
echo
echo "== gpsi risk project: a sample project's risk sheet — country baseline, the GDELT events near its site and"
echo "   route, the threat register, controls and residual risk (examples/projects/ke-machakos-road.toml)"
build/gpsi --db "$db" risk project examples/projects/ke-machakos-road.toml --today 2019-11-01 --pdf --out out/risk/projects
echo
echo "== gpsi forecast --backtest: every model scored at origins 2010–2019 against what happened (docs/forecasting.md)"
build/gpsi --db "$db" forecast --method methods/gpsi.toml --backtest --seed 1 --out out/gpsi-backtest | grep -E "backtest|GPSI|indicators, h=1"
echo
echo "== gpsi report --profiles all --pdf: the annual report of the latest year (with the validation above and what"
echo "   changed from method 2026.1) and a profile of every ranked country with its forecast and warnings,"
echo "   in English and Chinese, as HTML and PDF (docs/report.md)"
build/gpsi --db "$db" report --method methods/gpsi.toml --lang en,zh --profiles all --pdf \
  --validation out/gpsi-validate --out out/gpsi-report
echo
echo "demo: index files in out/gpsi (scores.csv, stages.csv, provenance.csv, records.csv, eligibility.csv, coverage.csv, run.json, build.log),"
echo "      validation in out/gpsi-validate, audit in out/gpsi-audit, rank intervals in out/gpsi-uncertainty,"
echo "      forecasts in out/gpsi-forecast (forecasts.csv, outlook.csv), the backtest in out/gpsi-backtest,"
echo "      warnings in out/gpsi-warn (warnings.csv), country risk sheets in out/risk (KEN.json; countries/<ISO3>.json;"
echo "      validation/; projects/<enterprise>-<id>.json, .en/.zh.html and .pdf), the annual report in out/gpsi-report/{en,zh}"
echo "      (index.html, report.pdf, profiles/<ISO3>.html and .pdf), the evaluation campaign's files and results"
echo "      in out/evaluation (campaign/: applications, judges, sheets, truth; results.json)"
echo "demo: store at $db; try: build/gpsi --db $db export --indicator road_death_rate --years 2015:2019"
[ "${GPSI_DEMO_SERVE:-1}" = 0 ] && exit 0
echo
port="${GPSI_DEMO_PORT:-8080}"
[ -f web/dist/index.html ] || { echo "demo: no dashboard at web/dist (run make build)" >&2; exit 2; }
echo "== gpsi serve --web web/dist: the HTTP API (docs/api.md) and the dashboard"
echo "dashboard: http://127.0.0.1:$port (Ctrl-C to stop)"
if [ -f out/demo-tokens/passwords ]; then
  echo "member platform: log in (top right) as one of the demo accounts, with its password from out/demo-tokens/passwords:"
  awk '{ printf "  %-8s %-17s %s\n", $1, $2, $3 }' out/demo-tokens/passwords
  echo "risk service: as wang (an enterprise), upload examples/projects/ke-machakos-road.toml at #/risk/projects"
fi
exec build/gpsi --db "$db" serve --port "$port" --web web/dist --validation out/gpsi-validate --risk-method methods/risk.toml
