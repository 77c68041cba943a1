#!/usr/bin/env python3
"""Writes a GDELT 2.0 event stream for bench/events.sh: the lines of a real export (the sample in
../shared/data/events_gdelt_sample) repeated with varied SQLDATE (2015–2024), ActionGeo_CountryCode
(the sample's FIPS codes, some empty, some unknown), EventRootCode, QuadClass and GoldsteinScale,
each line with its own GLOBALEVENTID (1, 2, …).

usage: gen_events.py SAMPLE OUT MEGABYTES [SEED]
"""
import random
import sys


def main():
    sample, out, megabytes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    with open(sample, encoding="utf-8") as f:
        lines = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    countries = sorted({f[53] for f in lines if f[53]}) + ["", "", "ZZ"]  # empty: no country; ZZ: unknown FIPS
    target = megabytes << 20
    written = 0
    events = 0
    with open(out, "w", encoding="utf-8", newline="\n") as o:
        while written < target:
            f = list(rng.choice(lines))
            events += 1
            f[0] = str(events)  # GLOBALEVENTID: each line its own event, as in GDELT (one stored point each)
            y, m, d = rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28)
            f[1], f[2], f[3] = f"{y:04}{m:02}{d:02}", f"{y:04}{m:02}", f"{y}"
            root = rng.randint(1, 20)
            f[26] = f[27] = f"{root:02}0"
            f[28] = f"{root:02}"
            f[29] = str(1 if root <= 5 else 2 if root <= 9 else 3 if root <= 14 else 4)
            f[30] = f"{rng.randint(-100, 100) / 10:.1f}"
            f[53] = rng.choice(countries)
            line = "\t".join(f) + "\n"
            o.write(line)
            written += len(line.encode("utf-8"))


if __name__ == "__main__":
    main()
