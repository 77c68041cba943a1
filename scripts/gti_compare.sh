#!/usr/bin/env bash
# Compares gpsi's GTI-style terrorism impact score with the IEP's published Global Terrorism Index
# 2023 (docs/terrorism.md). Two stores are built, each from one source only:
#   gtd  — START GTD 0522 via Our World in Data (incidents, deaths, injuries; no hostages), 2012–2020
#   iep  — the IEP's own component counts from the GTI 2023 annex, 2016–2022 (the first year whose
#          five-year window the annex covers), to check the formula itself
# and each is built with the same one-indicator method (methods/gpsi.toml's terror_impact recipe).
# The scores (stage "raw" of stages.csv) are compared per year with gti_tidy.csv: Spearman's rho
# over the countries both score, the median and largest |score difference|, and the five largest
# rank disagreements. Markdown goes to stdout.
#
#   scripts/gti_compare.sh [--gpsi PATH] [--data DIR] [--keep DIR] [--set key=value …]
#
# Needs bash, the gpsi binary and python3 (standard library only).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
gpsi="${GPSI:-$root/build/gpsi}"
data="${GPSI_DATA:-$(cd "$root/.." && pwd)/shared/data}"
keep=""
sets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --gpsi) gpsi="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --set) sets+=(--set "$2"); shift 2 ;;
    *) echo "gti_compare: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$gpsi" ] || { echo "gti_compare: no gpsi binary at $gpsi (make, or --gpsi PATH)" >&2; exit 2; }
[ -d "$data/terrorism_gti_iep" ] || { echo "gti_compare: no data folder at $data (--data DIR)" >&2; exit 2; }
if [ -n "$keep" ]; then work="$keep"; mkdir -p "$work"; else work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi

cat >"$work/gti.toml" <<'TOML'
[index]
id = "gti-compare"
units = "all"

[pipeline]
normalise = "goalposts"

[[node]]
code = "T"

[[indicator]]
code = "terror_impact"
parent = "T"
direction = -1
goalposts = [0, 10]
gti.reads = { incidents = "terror_incidents", deaths = "terror_deaths", injuries = "terror_injuries", hostages = "terror_hostages" }
gti.weights = { incidents = 1, deaths = 3, injuries = 0.5, hostages = 0.5 }
gti.lag_weights = [16, 8, 4, 2, 1]
gti.banding = "log"
TOML

run() {  # name, data subfolder, years
  local db="$work/$1.db"
  rm -rf "$db" "$db-wal" "$db-shm" "$db.blobs"
  "$gpsi" --db "$db" init --reference "$data" >/dev/null
  "$gpsi" --db "$db" ingest "$data/$2" >/dev/null
  "$gpsi" --db "$db" build --method "$work/gti.toml" --set "pipeline.years=$3" ${sets[@]+"${sets[@]}"} \
    --out "$work/$1" >/dev/null
}
run gtd terrorism_gtd_owid 2012:2020
run iep terrorism_gti_iep 2016:2022

python3 - "$work" "$data/terrorism_gti_iep/gti_tidy.csv" "$data/terrorism_gtd_owid/gtd_country_year_tidy.csv" <<'PY'
import csv, math, sys
work, tidy, gtd_tidy = sys.argv[1], sys.argv[2], sys.argv[3]

def ranks(v):  # average ranks of ties, as Spearman's rho needs
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r

def spearman(a, b):
    ra, rb = ranks(a), ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    return cov / math.sqrt(sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb))

def min_rank_desc(v):  # rank 1 = highest score, ties share the lowest rank (as the GTI)
    return [1 + sum(1 for y in v if y > x) for x in v]

iep, counts = {}, {}
for r in csv.DictReader(open(tidy, encoding="utf-8")):
    k = (r["iso3"], int(r["year"]))
    iep[k] = float(r["gti_score_0_10"])
    counts[k] = r

gtd = {}
for r in csv.DictReader(open(gtd_tidy, encoding="utf-8")):
    if r["iso3"]:
        gtd[(r["iso3"], int(r["year"]))] = r

def window(table, u, y, inc, dead):  # incidents/deaths summed over t-4..t ("?" = outside the table)
    i = d = 0
    for yy in range(y - 4, y + 1):
        r = table.get((u, yy))
        if r is None:
            if table is counts and yy < 2012:
                return "?"
            continue
        i += int(float(r[inc]))
        d += int(float(r[dead]))
    return f"{i}/{d}"

def ours(name):
    out = {}
    for r in csv.DictReader(open(f"{work}/{name}/stages.csv", encoding="utf-8")):
        if r["code"] == "terror_impact" and r["stage"] == "raw":
            out[(r["unit"], int(r["year"]))] = float(r["value"])
    return out

def log_max(name):
    for line in open(f"{work}/{name}/build.log", encoding="utf-8"):
        if line.startswith("gti: terror_impact: all years"):
            return line.strip().split("max = ")[1].split(";")[0] + ", " + line.strip().split("(")[-1].rstrip(")")
    return "?"

def report(name, title):
    mine = ours(name)
    print(f"### {title}\n")
    print(f"Banding maximum (highest weighted impact s of the build): {log_max(name)}.\n")
    print("| year | countries | Spearman ρ | median \\|Δscore\\| | \\|Δ\\| ≤ 0.05 | largest \\|Δscore\\| |")
    print("|---|---|---|---|---|---|")
    tops = {}
    for y in sorted({y for (_, y) in mine}):
        units = sorted(u for (u, yy) in iep if yy == y and (u, y) in mine)
        if not units:
            continue
        a = [mine[(u, y)] for u in units]
        b = [iep[(u, y)] for u in units]
        d = sorted(abs(x - z) for x, z in zip(a, b))
        big = max(zip(units, a, b), key=lambda t: abs(t[1] - t[2]))
        print(f"| {y} | {len(units)} | {spearman(a, b):.4f} | {d[len(d) // 2]:.3f} | "
              f"{sum(x <= 0.05 for x in d)} | {abs(big[1] - big[2]):.2f} ({big[0]}) |")
        ra, rb = min_rank_desc(a), min_rank_desc(b)
        rows = sorted(zip(units, a, b, ra, rb), key=lambda t: (-abs(t[3] - t[4]), -abs(t[1] - t[2]), t[0]))[:5]
        tops[y] = rows
    print()
    print("Largest rank disagreements (rank 1 = most impact; incidents/deaths over the five years t−4…t in "
          "the GTD and in the GTI annex, \"?\" where the window reaches before the annex's 2012):\n")
    print("| year | country | ours | rank | IEP | rank | GTD 5-yr inc./deaths | GTI 5-yr inc./deaths | GTI hostages (t) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for y, rows in tops.items():
        for u, a, b, ra, rb in rows:
            print(f"| {y} | {u} | {a:.2f} | {ra} | {b:.2f} | {rb} | "
                  f"{window(gtd, u, y, 'incidents', 'fatalities')} | "
                  f"{window(counts, u, y, 'incidents', 'fatalities')} | {counts[(u, y)]['hostages']} |")
    print()

report("gtd", "GTD (OWID) counts vs the published GTI 2023")
report("iep", "The GTI annex's own counts vs the published GTI 2023 (formula check)")
PY
