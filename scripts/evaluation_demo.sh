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
# judge-01 and ann also get a random password (appended to $tokens/passwords, as scripts/demo.sh
# does for its accounts), so the dashboard's campaign pages can be tried as a judge and an applicant.
account() {
  local login=$1 org=$2 password
  if [ "$login" = judge-01 ] || [ "$login" = ann ]; then
    password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')
    g user add "$login" --org "$org" --role reader --password-stdin <<<"$password" >/dev/null
    printf '%-8s %-17s %s\n' "$login" reader "$password" >>"$tokens/passwords"
  else
    g user add "$login" --org "$org" --role reader >/dev/null
  fi
  g token create "$login" --days 1 --label demo >"$tokens/$login" 2>/dev/null
}
tail -n +2 "$work/campaign/judges.csv" | cut -d, -f1 | while read -r login; do account "$login" experts; done
account ann org-01

as sam create "$key" --rules "$rules"
as sam entries "$key" --applications "$work/campaign/applications.csv" --judges "$work/campaign/judges.csv"
as sam assign "$key"
as sam open "$key"
# A second, small campaign left in the scoring stage, so a judge has an open queue on the
# dashboard: the first 8 applications and judges judge-01..judge-04 (no declared conflicts).
head -n 9 "$work/campaign/applications.csv" >"$work/open-applications.csv"
head -n 5 "$work/campaign/judges.csv" | cut -d, -f1-3 | sed '1s/$/,declared/; 2,$s/$/,/' >"$work/open-judges.csv"
as sam create "$key-open" --rules "$rules" >/dev/null
as sam entries "$key-open" --applications "$work/open-applications.csv" --judges "$work/open-judges.csv" >/dev/null
as sam assign "$key-open" >/dev/null
as sam open "$key-open" >/dev/null
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
# The bilingual selection report, HTML and PDF (docs/evaluation.md, "Selection report").
as sam report "$key" --lang en,zh --pdf --out "$work/report" >/dev/null
echo "the selection report: $work/report/selection-$key.{en,zh}.{html,pdf}"
