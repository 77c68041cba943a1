#!/usr/bin/env python3
"""Writes a canonical long CSV (header unit,year,indicator,value) with ROWS data rows, deterministically.

Units are real codes known to the store (read from `gpsi --db DB --json units`, countries and
territories only); indicators are BENCH.L0001, BENCH.L0002, ... and years 1960-2024. ORDER says how
rows run: `indicator` (default: indicator, then unit, then year, the usual order of a publisher's
long file) or `unit` (unit, then indicator, then year: the order `gpsi export` writes, which is also
the store's key order). The first N rows of a file are the same whatever ROWS is. One row in 1,000
has the missing marker NA (skipped as missing) and one in 10,000 names the unknown unit ZZZ
(quarantined), so those paths are timed too.

usage: gen_long.py ROWS OUT.csv UNITS.json [indicator|unit]
"""
import json
import sys

YEARS = range(1960, 2025)
UNIT_ORDER_INDICATORS = 320  # unit order: 320 indicators x 65 years per unit, 5.18 M keys in all


def Keys(order, units):
    """(unit, indicator, year) in file order; every key once."""
    if order == "unit":
        for unit in units:
            for k in range(1, UNIT_ORDER_INDICATORS + 1):
                for year in YEARS:
                    yield unit, f"BENCH.L{k:04d}", year
        return
    k = 0
    while True:
        k += 1
        for unit in units:
            for year in YEARS:
                yield unit, f"BENCH.L{k:04d}", year


def main() -> None:
    rows, out, units_json = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    order = sys.argv[4] if len(sys.argv) > 4 else "indicator"
    if order not in ("indicator", "unit"):
        sys.exit("gen_long.py: ORDER is indicator or unit")
    with open(units_json, encoding="utf-8") as f:
        units = sorted(u["code"] for u in json.load(f) if u["kind"] in ("country", "territory"))
    if not units:
        sys.exit("gen_long.py: no units in " + units_json)
    n = 0
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = f.write
        w("unit,year,indicator,value\n")
        buf = []
        for unit, ind, year in Keys(order, units):
            if n == rows:
                break
            n += 1
            h = (n * 2654435761) & 0xFFFFFFFF  # Knuth multiplicative hash: stable values
            value = "NA" if n % 1000 == 0 else f"{h % 1000000 / 100:.2f}"
            buf.append(f"{'ZZZ' if n % 10000 == 0 else unit},{year},{ind},{value}\n")
            if len(buf) >= 65536:
                w("".join(buf))
                buf.clear()
        w("".join(buf))
    if n < rows:
        sys.exit(f"gen_long.py: only {n} distinct keys in {order} order")


if __name__ == "__main__":
    main()
