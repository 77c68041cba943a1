#!/usr/bin/env python3
"""Where gpsi's sources disagree on the same quantity, and which value the tier rule publishes.

Reads the CSVs that gpsi itself writes (python3 standard library only):

  gpsi --db S.db export --all-sources   > all.csv        every stored observation
  gpsi --db S.db export                 > resolved.csv   the value the tier rule publishes per cell
  gpsi --db S.db resolve --report report.csv             cells where same-code sources differ > 10 %

and prints Markdown tables (the ones in docs/data-sources.md) for these pairs:

  homicide  UNODC (WDI VC.IHR.PSRC.P5) vs WHO GHE 2019 (deaths / WPP 2024 population x 1e5)
            UNODC vs IHME GBD 2017 (age-standardised), WHO GHE vs IHME, UNODC via WDI vs via WPR
  road      WHO GHO RS_198 (crude rate) vs IHME GBD 2017 (age-standardised)
            WHO RS_196 deaths / resolved population (what methods/gpsi.toml computes) vs RS_198
  population UN WPP 2024 vs World Bank WDI SP.POP.TOTL
  terrorism START GTD 0522 (via OWID) vs IEP GTI 2023: incidents, deaths, injuries

Resolver comparisons only exist between identical indicator codes; WHO and IHME homicide and
road values are stored under other codes (homicide_deaths, homicide_rate_as, road_death_rate_as),
so this script builds those comparisons itself from all.csv.

Definitions used in every table:
  a = the first source named (the one the tier rule publishes when the codes are identical,
      otherwise the tier-1 / recorded series), b = the second;
  ratio = b / a;  relative difference = |b - a| / |a|  (the same as `gpsi resolve --report`).
  "Largest disagreements" are ranked by |b - a| (in the indicator's own unit), except population,
  ranked by relative difference (absolute differences would list only China and India).

Usage (the commands in docs/data-sources.md, "Regenerating the tables"):
  python3 scripts/source_disagreements.py --all all.csv --resolved resolved.csv --report report.csv
Options: --top N (default 10), --years A:B (restrict every comparison), --csv-dir DIR (also write
one CSV per pair with every overlapping cell).
"""

import argparse
import csv
import math
import os
import statistics
import sys
from collections import Counter, defaultdict


def source_key(source):
    """'unodc-homicide-wdi@2025-10-07' -> 'unodc-homicide-wdi'."""
    return source.split("@", 1)[0]


def export_rows(path, years):
    """(row, year) for each row of a `gpsi export` CSV whose year is within `years` (A, B) if given."""
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            year = int(row["year"]) if row["year"] else None
            if years and (year is None or not years[0] <= year <= years[1]):
                continue
            yield row, year


def load_all(path, years):
    """(indicator, source key) -> {(unit, year): value} from `gpsi export --all-sources`."""
    table = defaultdict(dict)
    for row, year in export_rows(path, years):
        table[(row["indicator"], source_key(row["source"]))][(row["unit"], year)] = float(row["value"])
    return table


def load_resolved(path, years):
    """indicator -> {(unit, year): source key} from `gpsi export` (the published value's source)."""
    table = defaultdict(dict)
    for row, year in export_rows(path, years):
        table[row["indicator"]][(row["unit"], year)] = source_key(row["source"])
    return table


def load_report(path, years):
    """Counter of (indicator, published source, other source) over the report's rows."""
    counts = Counter()
    if not path:
        return counts
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            year = int(row["year"]) if row["year"] else None
            if years and (year is None or not years[0] <= year <= years[1]):
                continue
            counts[(row["indicator"], source_key(row["source"]), source_key(row["other_source"]))] += 1
    return counts


def per_100k(deaths, population):
    """Crude rate per 100,000 from a count series and a population series (cells in both)."""
    return {k: v / population[k] * 1e5 for k, v in deaths.items() if population.get(k)}


def fmt(x):
    """Numbers as a reader wants them: integers with thousands separators, rates with 2-3 digits."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if math.isinf(x):
        return "∞"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def pct(x):
    return "–" if x is None else f"{100 * x:.1f} %"


class Pair:
    """One comparison: two {(unit, year): value} series and how to rank their disagreements."""

    def __init__(self, title, name_a, a, name_b, b, unit, rank="abs", published=None, note=""):
        self.title, self.name_a, self.a, self.name_b, self.b = title, name_a, a, name_b, b
        self.unit, self.rank, self.published, self.note = unit, rank, published, note

    def cells(self):
        return sorted(k for k in self.a.keys() & self.b.keys())

    def rows(self):
        out = []
        for k in self.cells():
            a, b = self.a[k], self.b[k]
            ratio = b / a if a else (math.inf if b else 1.0)
            rel = abs(b - a) / abs(a) if a else (math.inf if b else 0.0)
            out.append((k[0], k[1], a, b, ratio, rel, abs(b - a)))
        return out


def summary(pair):
    rows = pair.rows()
    finite = [r for r in rows if math.isfinite(r[5])]
    rels = [r[5] for r in finite]
    ratios = [r[4] for r in rows if math.isfinite(r[4]) and r[4] > 0]
    units = {r[0] for r in rows}
    years = [r[1] for r in rows if r[1] is not None]
    return {
        "n": len(rows),
        "units": len(units),
        "years": (min(years), max(years)) if years else None,
        "median_rel": statistics.median(rels) if rels else None,
        "median_ratio": statistics.median(ratios) if ratios else None,
        "p90_rel": statistics.quantiles(rels, n=10)[-1] if len(rels) >= 10 else None,
        "over10": sum(1 for r in rows if r[5] > 0.10) / len(rows) if rows else None,
        "over50": sum(1 for r in rows if r[5] > 0.50) / len(rows) if rows else None,
        "b_higher": sum(1 for r in rows if r[3] > r[2]) / len(rows) if rows else None,
        "only_a": len(pair.a.keys() - pair.b.keys()),
        "only_b": len(pair.b.keys() - pair.a.keys()),
    }


def print_pair(pair, top, out):
    s = summary(pair)
    out.write(f"### {pair.title}\n\n")
    if pair.note:
        out.write(pair.note.strip() + "\n\n")
    if not s["n"]:
        out.write("No overlapping unit-years.\n\n")
        return
    yr = f"{s['years'][0]}–{s['years'][1]}" if s["years"] else "–"
    out.write("| overlap (unit-years) | units | years | median relative difference | 90th percentile | "
              "cells > 10 % | cells > 50 % | median ratio b/a | b higher than a | only a | only b |\n")
    out.write("|---|---|---|---|---|---|---|---|---|---|---|\n")
    out.write(f"| {s['n']:,} | {s['units']} | {yr} | {pct(s['median_rel'])} | {pct(s['p90_rel'])} | "
              f"{pct(s['over10'])} | {pct(s['over50'])} | {fmt(s['median_ratio'])} | {pct(s['b_higher'])} | "
              f"{s['only_a']:,} | {s['only_b']:,} |\n\n")
    out.write(f"a = {pair.name_a}; b = {pair.name_b}; unit: {pair.unit}. ")
    if pair.published:
        out.write(pair.published.strip() + " ")
    out.write("\n\n")
    key = (lambda r: (-r[5] if math.isfinite(r[5]) else -1e300, r[0], r[1])) if pair.rank == "rel" \
        else (lambda r: (-r[6], r[0], r[1]))
    by = "relative difference" if pair.rank == "rel" else "absolute difference"
    out.write(f"The {top} largest disagreements (by {by}):\n\n")
    out.write("| unit | year | a | b | ratio b/a | relative difference |\n|---|---|---|---|---|---|\n")
    for r in sorted(pair.rows(), key=key)[:top]:
        out.write(f"| {r[0]} | {r[1]} | {fmt(r[2])} | {fmt(r[3])} | {fmt(r[4])} | {pct(r[5])} |\n")
    out.write("\n")


def published_note(resolved, indicator, cells, names):
    """Which source the resolver publishes on the overlapping cells (same indicator code only)."""
    got = Counter(resolved.get(indicator, {}).get(k, "none") for k in cells)
    parts = [f"{names.get(s, s)} {n:,}" for s, n in got.most_common()]
    return f"Published by the tier rule on these cells (`gpsi export`, `{indicator}`): " + ", ".join(parts) + "."


def write_csv(pair, directory, slug):
    path = os.path.join(directory, slug + ".csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit", "year", "a", "b", "ratio_b_over_a", "relative_difference"])
        for r in pair.rows():
            w.writerow([r[0], r[1], repr(r[2]), repr(r[3]), f"{r[4]:.6g}", f"{r[5]:.6g}"])


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--all", required=True, help="CSV of `gpsi export --all-sources`")
    p.add_argument("--resolved", required=True, help="CSV of `gpsi export` (resolved values)")
    p.add_argument("--report", help="CSV of `gpsi resolve --report` (summarised per indicator)")
    p.add_argument("--top", type=int, default=10)
    p.add_argument("--years", help="A:B, restrict every comparison to these years")
    p.add_argument("--csv-dir", help="also write one CSV per pair with every overlapping cell")
    args = p.parse_args(argv)
    years = tuple(int(x) for x in args.years.split(":")) if args.years else None

    obs = load_all(args.all, years)
    resolved = load_resolved(args.resolved, years)
    report = load_report(args.report, years)

    unodc = obs[("homicide_rate", "unodc-homicide-wdi")]
    unodc_wpr = obs[("homicide_rate", "unodc-homicide-2022-wpr")]
    wpp = obs[("population", "un-wpp2024-population")]
    # The World Bank's copy has its own code (population_wb); an older store may still hold it as
    # `population`.
    wb = obs.get(("population_wb", "wb-wdi-population")) or obs[("population", "wb-wdi-population")]
    who_hom = per_100k(obs[("homicide_deaths", "who-ghe-homicide")], wpp)
    ihme_hom = obs[("homicide_rate_as", "ihme-gbd2017-injury")]
    who_road = obs[("road_death_rate", "who-gho-road-rate")]
    ihme_road = obs[("road_death_rate_as", "ihme-gbd2017-injury")]
    road_deaths = obs[("road_deaths", "who-gho-road-deaths")]
    pop_resolved = {k: (wpp if s == "un-wpp2024-population" else wb).get(k)
                    for k, s in resolved.get("population", {}).items()}
    road_by_resolved_pop = per_100k(road_deaths, {k: v for k, v in pop_resolved.items() if v})

    names = {"unodc-homicide-wdi": "UNODC via WDI", "unodc-homicide-2022-wpr": "UNODC via WPR",
             "un-wpp2024-population": "UN WPP 2024", "wb-wdi-population": "World Bank WDI",
             "start-gtd-0522": "GTD (OWID)", "iep-gti-2023": "GTI 2023 (IEP)", "none": "nothing"}
    no_code = ("These are different indicator codes in the store, so the resolver never compares them; "
               "`homicide_rate` (and the method) publishes UNODC wherever UNODC has a value, and nothing "
               "where it has none.")
    pairs = [
        ("homicide_unodc_who", Pair(
            "Homicide: UNODC (recorded) vs WHO GHE 2019 (modelled)", "UNODC via WDI (tier 1)", unodc,
            "WHO GHE 2019 homicide deaths / WPP 2024 mid-year population × 100,000 (tier 1, modelled)",
            who_hom, "victims per 100,000 population (crude)", published=no_code)),
        ("homicide_unodc_ihme", Pair(
            "Homicide: UNODC (recorded) vs IHME GBD 2017 (modelled, age-standardised)", "UNODC via WDI (tier 1)",
            unodc, "IHME GBD 2017 interpersonal violence, age-standardised (tier 3)", ihme_hom,
            "per 100,000 (a crude, b age-standardised: not the same measure)", published=no_code)),
        ("homicide_who_ihme", Pair(
            "Homicide: WHO GHE 2019 vs IHME GBD 2017 (both modelled)", "WHO GHE 2019 (crude, WPP 2024 population)",
            who_hom, "IHME GBD 2017 (age-standardised)", ihme_hom, "per 100,000",
            published="Neither is published as `homicide_rate`.")),
        ("homicide_unodc_wpr", Pair(
            "Homicide: UNODC via WDI vs the same UNODC 2022 figures via WorldPopulationReview",
            "UNODC via WDI (tier 1, release 2025-10-07)", unodc,
            "UNODC via WPR (tier 1, release 2024-03-29, preference −2)", unodc_wpr, "victims per 100,000",
            published=published_note(resolved, "homicide_rate", unodc.keys() & unodc_wpr.keys(), names))),
        ("road_who_ihme", Pair(
            "Road traffic deaths: WHO GHO RS_198 vs IHME GBD 2017", "WHO RS_198 crude rate (tier 1, modelled)",
            who_road, "IHME GBD 2017 road injuries, age-standardised (tier 3, modelled)", ihme_road,
            "deaths per 100,000 (a crude, b age-standardised)",
            published=("Different indicator codes (`road_death_rate`, `road_death_rate_as`): never compared by "
                       "the resolver. The method's road indicator is neither: it is RS_196 deaths divided by the "
                       "resolved `population` (next table)."))),
        ("road_rs198_method", Pair(
            "Road traffic deaths: WHO's own rate (RS_198) vs what the method computes (RS_196 / resolved population)",
            "WHO RS_198 crude rate (WHO's population)", who_road,
            "RS_196 deaths / resolved `population` × 100,000 (gpsi build, `denominate = on`)",
            road_by_resolved_pop, "deaths per 100,000",
            published="The method publishes b. "
            + published_note(resolved, "population", road_by_resolved_pop.keys(), names))),
        ("population_wpp_wb", Pair(
            "Population: UN WPP 2024 vs World Bank WDI", "UN WPP 2024 (tier 1, release 2024-07-11, preference 1)",
            wpp, "World Bank WDI SP.POP.TOTL (tier 1, release 2025-10-07, preference 0)", wb, "persons",
            rank="rel",
            published=published_note(resolved, "population", wpp.keys() & wb.keys(), names)
            + " The World Bank's copy is stored as `population_wb`, so it never competes with WPP for"
            " `population`; under one code the newer release would win every cell before `preference`"
            " is looked at.")),
    ]
    for code, label in (("terror_incidents", "incidents"), ("terror_deaths", "deaths"),
                        ("terror_injuries", "injuries")):
        gti = obs[(code, "iep-gti-2023")]
        gtd = obs[(code, "start-gtd-0522")]
        implied = sum(1 for k in gti.keys() - gtd.keys() if k[1] is not None and k[1] <= 2020)
        note = (f"Unit-years 2012–2020 that GTI lists but the GTD aggregation has no row for (the GTD then "
                f"means 0 recorded incidents): {implied:,}; not in the overlap below.")
        pairs.append((f"terrorism_{label}", Pair(
            f"Terrorism {label}: IEP GTI 2023 vs START GTD 0522 (OWID)", "GTI 2023 (IEP; tier 3, release 2023-03-14)",
            gti, "GTD 0522 via OWID (START; tier 3, release 2022-05-01)", gtd, label,
            published=published_note(resolved, code, gti.keys() & gtd.keys(), names), note=note)))

    out = sys.stdout
    out.write("<!-- generated by scripts/source_disagreements.py; do not edit by hand -->\n\n")
    for slug, pair in pairs:
        print_pair(pair, args.top, out)
        if args.csv_dir:
            os.makedirs(args.csv_dir, exist_ok=True)
            write_csv(pair, args.csv_dir, slug)

    # Cells with no published homicide rate although a modelled value exists (the method's years).
    lo, hi = years if years else (2015, 2023)
    gap = [k for k in who_hom.keys() | ihme_hom.keys() if k not in unodc and lo <= k[1] <= hi]
    out.write(f"### Homicide cells {lo}–{hi} without a UNODC value but with a WHO or IHME estimate\n\n")
    out.write(f"{len(gap):,} unit-years in {len({k[0] for k in gap})} units (these stay empty in `homicide_rate`).\n\n")

    if report:
        out.write("### `gpsi resolve --report`: rows per indicator and source pair\n\n")
        out.write("| indicator | published source | other source | cells |\n|---|---|---|---|\n")
        for (ind, a, b), n in sorted(report.items()):
            out.write(f"| {ind} | {a} | {b} | {n:,} |\n")
        out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
