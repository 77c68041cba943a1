#!/usr/bin/env bash
# The excellent-practice evaluation end to end (docs/evaluation.md), on the store `$1` whose
# secretariat account `sam` holds the token in `$2/sam` (scripts/demo.sh makes both): a synthetic
# campaign the size of the forum's (52 applications from 39 organisations, 12 judges, known judge
# biases and conflicts), set up, assigned, scored by each judge through the platform (every sheet
# sealed and audited), closed, published, and shown with its reliability and selection odds.
set -euo pipefail
cd "$(dirname "$0")/.."
db=$1 tokens=$2
rules=methods/evaluation/overseas-practice.toml
key=practice-2026
work=out/evaluation
rm -rf "$work" && mkdir -p "$work"
g() { build/gpsi --db "$db" "$@"; }
as() { local who=$1; shift; build/gpsi --db "$db" evaluation --token-file "$tokens/$who" "$@"; }

build/gpsi evaluation synth --rules "$rules" --out "$work/campaign" --seed 2026 >/dev/null
# The judges' accounts (readers of an experts' organisation), each with a token; one applicant
# organisation's account, to show what an applicant sees.
g org add experts --kind think-tank --name-en "Evaluation panel (demo)" --name-zh "评审专家组（演示）" >/dev/null
g org add org-01 --kind think-tank --name-en "Applicant organisation 01 (demo)" --name-zh "申报单位01（演示）" >/dev/null
tail -n +2 "$work/campaign/judges.csv" | cut -d, -f1 | while read -r login; do
  g user add "$login" --org experts --role reader >/dev/null
  g token create "$login" --days 1 --label demo >"$tokens/$login" 2>/dev/null
done
g user add ann --org org-01 --role reader >/dev/null
g token create ann --days 1 --label demo >"$tokens/ann" 2>/dev/null

as sam create "$key" --rules "$rules"
as sam entries "$key" --applications "$work/campaign/applications.csv" --judges "$work/campaign/judges.csv"
as sam assign "$key"
as sam open "$key"
for sheet in "$work"/campaign/sheets/*.csv; do
  login=$(basename "$sheet" .csv)
  as "$login" score "$key" --file "$sheet" >/dev/null
done
echo "every judge sealed their sheets ($(cat "$work"/campaign/sheets/*.csv | grep -vc '^application'))"
as sam close "$key"
as sam publish "$key"
as sam show "$key"
build/gpsi --db "$db" --json evaluation --token-file "$tokens/sam" show "$key" >"$work/results.json"
echo "-- what applicant org-01 sees once published: its own results and the selected applications"
as ann show "$key" | head -n 6
g audit-log verify
