#!/usr/bin/env python3
"""Writes a World Bank bulk-download CSV (the WDICSV.csv layout) with ROWS data rows, deterministically.

Layout as published: UTF-8 BOM, 4 preamble lines, then "Country Name","Country Code",
"Indicator Name","Indicator Code","1960",...,"2024", every field quoted and every line ending in a
comma. Rows run country by country and, within a country, over indicator codes BX.SYN.0001,
BX.SYN.0002, ... (as many as ROWS needs); countries are the store's countries and territories
followed by the 49 World Bank aggregates (AFE, WLD, ...) of data/reference/aggregates.csv, which the
ingest skips as aggregates. Each row is empty before a start year (1960-1999), like real series.

usage: gen_wide.py ROWS OUT.csv UNITS.json AGGREGATES.csv
"""
import csv
import json
import sys

YEARS = range(1960, 2025)


def main() -> None:
    rows, out, units_json, aggregates_csv = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    with open(units_json, encoding="utf-8") as f:
        units = sorted((u["code"], u["name_en"]) for u in json.load(f) if u["kind"] in ("country", "territory"))
    with open(aggregates_csv, encoding="utf-8") as f:
        units += [(r["code"], r["name"]) for r in csv.DictReader(f)
                  if r["code"] and r["origin"].startswith("World Bank WDI aggregate")]
    n_ind = -(-rows // len(units))  # ceiling: enough indicator codes for ROWS rows
    n = 0
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = f.write
        w('\ufeff"Data Source","World Development Indicators",\n\n"Last Updated Date","2025-10-07",\n\n')
        w('"Country Name","Country Code","Indicator Name","Indicator Code",')
        w("".join(f'"{y}",' for y in YEARS) + "\n")
        buf = []
        for code, name in units:
            name = name.replace('"', '""')
            for k in range(1, n_ind + 1):
                if n == rows:
                    break
                n += 1
                h = (n * 2654435761) & 0xFFFFFFFF  # Knuth multiplicative hash: stable values
                start = 1960 + h % 40
                cells = "".join(
                    f'"{((h + y * 40503) & 0xFFFFF) / 64:.6g}",' if y >= start else '"",' for y in YEARS)
                buf.append(f'"{name}","{code}","Synthetic indicator {k}","BX.SYN.{k:04d}",{cells}\n')
                if len(buf) >= 8192:
                    w("".join(buf))
                    buf.clear()
        w("".join(buf))
    if n < rows:
        sys.exit(f"gen_wide.py: only {n} rows")


if __name__ == "__main__":
    main()
