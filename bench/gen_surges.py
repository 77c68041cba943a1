#!/usr/bin/env python3
"""Writes a monthly GDELT 2.0 event stream with known injected surges of violent events, to score
the monthly anomaly rule (`gpsi warn --backtest --surges`); the lines are those of a real export
(the sample in ../shared/data/events_gdelt_sample) with their date, event code and place rewritten.

usage: gen_surges.py DATA OUT_DIR [--seed N] [--countries N] [--months A:B] [--levels LO:HI]
                     [--large LO:HI] [--other R]

DATA is the shared data folder (../shared/data, as `gpsi init --reference` takes it). The countries
are those `gpsi init` keeps as countries (independent in reference_country_codes/country-codes.csv
and listed in reference_unsd_m49/UNSD_m49.csv) with a FIPS 10-4 code of their own: the lines carry
the FIPS code as GDELT's ActionGeo_CountryCode, the truth the ISO3 code `gpsi events` stores it
under (docs/events.md).

The model, per country: violent events (CAMEO root 18, 19, 20) in month t ~ Poisson(λ_t), with
  λ_t = L · (1 + a·sin(2πt/12 + φ)) · exp(g·(t − T/2)/12),
the level L log-uniform in --levels, the seasonal amplitude a ~ U(0, 0.2), the phase φ ~ U(0, 2π),
the trend g ~ U(−0.1, 0.1) per year. Surges start after the first 12 months (the rule's window) and
are 13 to 30 months apart, so that no surge lies in the 12-month baseline of another; a surge
multiplies λ_t of its month by
  - large (2 in 3): a factor ~ U(--large), ×3 to ×6 by default;
  - small (1 in 3): 1 + k/√λ_t with k ~ U(0.5, 1): an excess of half to one Poisson sd, which a
    z ≥ 3 rule should not tell from noise.
Besides, --other R non-violent events (roots 01–17) per expected violent one, without surges
(media volume). Everything follows from --seed.

Writes to OUT_DIR:
  events.export.CSV  the GDELT 2.0 lines (61 tab-separated fields, no header), in date order;
  surges.csv         the truth: unit,period,size,factor,excess_sd (period YYYY-MM; excess_sd is
                     (factor − 1)·√λ_t, the expected excess in Poisson sds);
  counts.csv         unit,period,violent: the violent events written per country and month.
"""
import argparse
import calendar
import csv
import math
import os
import random

# CAMEO root code → the GoldsteinScale of its base event (the "X0" code), as GDELT codes it (about).
GOLDSTEIN = [0.0, 0.0, 3.0, 4.0, 1.0, 3.5, 6.0, 7.0, 5.0, -2.0, -5.0, -2.0, -4.0, -6.0, -6.5, -7.2, -4.0, -7.0,
             -9.0, -10.0, -10.0]


def quad_class(root):
    """CAMEO's QuadClass of a root code: verbal and material cooperation, verbal and material conflict."""
    return 1 if root <= 5 else 2 if root <= 9 else 3 if root <= 14 else 4


def poisson(rng, lam):
    """A Poisson(lam) draw: a sum of draws by inversion of at most λ = 30 each (no underflow)."""
    n = 0
    while lam > 0:
        part = min(lam, 30.0)
        lam -= part
        u, p, k = rng.random(), math.exp(-part), 0
        cdf = p
        while u > cdf and k < 1000:
            k += 1
            p *= part / k
            cdf += p
        n += k
    return n


def pair(text, kind):
    a, b = text.split(":")
    return kind(a), kind(b)


def months(spec):
    """'2019-01:2023-12' → [(2019, 1), …, (2023, 12)]."""
    (y0, m0), (y1, m1) = [tuple(int(x) for x in part.split("-")) for part in spec.split(":")]
    out = []
    y, m = y0, m0
    while (y, m) <= (y1, m1):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def countries(data, n, rng):
    """n (FIPS, ISO3, name) of the countries of gpsi init whose FIPS code is theirs alone (not
    Kosovo's KV, which gpsi maps apart from Serbia)."""
    with open(os.path.join(data, "reference_unsd_m49/UNSD_m49.csv"), encoding="utf-8-sig", newline="") as f:
        m49 = {r["ISO-alpha3 Code"] for r in csv.DictReader(f, delimiter=";")}
    with open(os.path.join(data, "reference_country_codes/country-codes.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    uses = {}
    for r in rows:
        uses[r["FIPS"]] = uses.get(r["FIPS"], 0) + 1
    eligible = sorted((r["FIPS"], r["ISO3166-1-Alpha-3"], r["CLDR display name"]) for r in rows
                      if r["is_independent"] == "Yes" and r["ISO3166-1-Alpha-3"] in m49 and len(r["FIPS"]) == 2
                      and r["FIPS"].isalpha() and r["FIPS"].isupper() and uses[r["FIPS"]] == 1 and r["FIPS"] != "KV")
    if n > len(eligible):
        raise SystemExit(f"gen_surges.py: --countries {n}: {len(eligible)} countries have a FIPS code of their own")
    return sorted(rng.sample(eligible, n))


def surge_months(rng, count):
    """Month indexes of one country's surges: after the first 12, 13 to 30 apart."""
    out, t = [], 12 + rng.randint(0, 11)
    while t < count:
        out.append(t)
        t += rng.randint(13, 30)
    return out


def line(template, ident, date, root, country, rng):
    (y, m, d) = date
    f = list(template)
    f[0] = str(ident)
    f[1], f[2], f[3] = f"{y:04}{m:02}{d:02}", f"{y:04}{m:02}", f"{y}"
    f[4] = f"{y + ((m - 1) * 30.5 + d) / 365:.4f}"
    f[26] = f[27] = f"{root:02}0"
    f[28] = f"{root:02}"
    f[29] = str(quad_class(root))
    f[30] = f"{GOLDSTEIN[root]:.1f}"
    fips, _, name = country
    f[51:59] = ["1", name, fips, fips, "", "", "", fips]  # ActionGeo_*: the country as a whole
    f[59] = f"{y:04}{m:02}{d:02}{rng.randint(0, 23):02}{rng.choice((0, 15, 30, 45)):02}00"
    return "\t".join(f) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", help="the shared data folder (../shared/data)")
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--countries", type=int, default=24)
    ap.add_argument("--months", default="2019-01:2023-12")
    ap.add_argument("--levels", default="20:200", help="range of the countries' monthly violent events")
    ap.add_argument("--large", default="3:6", help="range of the large surges' factor")
    ap.add_argument("--other", type=float, default=1.0, help="non-violent events per violent one")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    lo, hi = pair(a.levels, float)
    large_lo, large_hi = pair(a.large, float)
    span = months(a.months)
    with open(os.path.join(a.data, "events_gdelt_sample/20191024143000.export.CSV"), encoding="utf-8") as f:
        templates = [text.rstrip("\n").split("\t") for text in f if text.strip()]
    templates = [t for t in templates if len(t) == 61]

    chosen = countries(a.data, a.countries, rng)
    counts = {}  # (country index, month index) → (violent, other)
    truth = []
    for c, country in enumerate(chosen):
        level = math.exp(rng.uniform(math.log(lo), math.log(hi)))
        amp, phase, trend = rng.uniform(0, 0.2), rng.uniform(0, 2 * math.pi), rng.uniform(-0.1, 0.1)
        lam = [level * (1 + amp * math.sin(2 * math.pi * t / 12 + phase)) * math.exp(trend * (t - len(span) / 2) / 12)
               for t in range(len(span))]
        factor = [1.0] * len(span)
        for t in surge_months(rng, len(span)):
            large = rng.random() < 2 / 3
            factor[t] = rng.uniform(large_lo, large_hi) if large else 1 + rng.uniform(0.5, 1) / math.sqrt(lam[t])
            y, m = span[t]
            truth.append((country[1], f"{y:04}-{m:02}", "large" if large else "small", f"{factor[t]:.3f}",
                          f"{(factor[t] - 1) * math.sqrt(lam[t]):.2f}"))
        for t in range(len(span)):
            counts[c, t] = (poisson(rng, factor[t] * lam[t]), poisson(rng, a.other * lam[t]))

    os.makedirs(a.out_dir, exist_ok=True)
    ident = 900000000
    with open(os.path.join(a.out_dir, "events.export.CSV"), "w", encoding="utf-8", newline="\n") as o:
        for t, (y, m) in enumerate(span):
            days = calendar.monthrange(y, m)[1]
            events = []
            for c in range(len(chosen)):
                violent, other = counts[c, t]
                events += [(rng.randint(1, days), c, rng.randint(18, 20)) for _ in range(violent)]
                events += [(rng.randint(1, days), c, rng.randint(1, 17)) for _ in range(other)]
            events.sort(key=lambda e: e[0])
            for d, c, root in events:
                ident += 1
                o.write(line(rng.choice(templates), ident, (y, m, d), root, chosen[c], rng))

    with open(os.path.join(a.out_dir, "surges.csv"), "w", encoding="utf-8", newline="\n") as o:
        o.write("unit,period,size,factor,excess_sd\n")
        for row in sorted(truth):
            o.write(",".join(row) + "\n")
    with open(os.path.join(a.out_dir, "counts.csv"), "w", encoding="utf-8", newline="\n") as o:
        o.write("unit,period,violent\n")
        for (c, t), (violent, _) in sorted(counts.items(), key=lambda kv: (chosen[kv[0][0]][1], kv[0][1])):
            y, m = span[t]
            o.write(f"{chosen[c][1]},{y:04}-{m:02},{violent}\n")


if __name__ == "__main__":
    main()
