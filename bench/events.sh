#!/usr/bin/env bash
# Whole-command benchmark of `gpsi events` (not a test): a ≥ 2 GB GDELT 2.0 stream generated from
# the real sample (bench/gen_events.py writes a varied 64 MiB block once; the stream is that block
# concatenated), timed with /usr/bin/time -v (wall clock, CPU, peak RSS) as plain text, then a
# smaller gzip file, and in the same run `mawk` counting the same column for comparison.
# Files and stores go to a temporary folder outside the repository, removed at exit.
# Results: bench/RESULTS.md, "Event data: gpsi events".
#
# The scanner alone (Google Benchmark, bench/events_bench.cpp) runs first when its binary is there.
#
# Environment: GPSI_BIN (default build/gpsi), GPSI_EVENTS_BENCH (default the gpsi_events_bench
# next to it, under bench/), BENCH_EVENTS_GB (plain size, default 2),
# BENCH_EVENTS_GZ_MB (gzip input, uncompressed MiB, default 512), BENCH_KEEP=1 keeps the folder,
# GPSI_BIN_BEFORE (another gpsi binary, e.g. of an earlier commit, timed on the same plain file in
# the same run, for a before/after comparison).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${GPSI_BIN:-$root/build/gpsi}
scan_bench=${GPSI_EVENTS_BENCH:-$(dirname "$bin")/bench/gpsi_events_bench}
data=${GPSI_DATA:-$(dirname "$root")/shared/data}
gb=${BENCH_EVENTS_GB:-2}
gz_mb=${BENCH_EVENTS_GZ_MB:-512}
sample=$data/events_gdelt_sample/20191024143000.export.CSV

[ -x "$bin" ] || { echo "events.sh: no gpsi binary at $bin (run make, or set GPSI_BIN)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "events.sh: needs GNU time at /usr/bin/time (make setup)" >&2; exit 2; }
command -v mawk >/dev/null || { echo "events.sh: needs mawk (make setup installs it)" >&2; exit 2; }
[ -f "$sample" ] || { echo "events.sh: no sample at $sample (set GPSI_DATA)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gpsi-bench-events.XXXXXX")
[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$tmp"' EXIT

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# binary $bin; load before: $(uptime | sed 's/.*load average: //')"

if [ -x "$scan_bench" ]; then
  "$scan_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true | grep -E '^BM_|^Run' | sed 's/^/# /'
fi
python3 "$here/gen_events.py" "$sample" "$tmp/block.tsv" 64
: >"$tmp/big.export.CSV"
while [ "$(stat -c %s "$tmp/big.export.CSV")" -lt $((gb * 1024 * 1024 * 1024)) ]; do
  cat "$tmp/block.tsv" >>"$tmp/big.export.CSV"
done
bytes=$(stat -c %s "$tmp/big.export.CSV")
head -c $((gz_mb * 1024 * 1024)) "$tmp/big.export.CSV" | head -n -1 | gzip -6 >"$tmp/small.export.CSV.gz"
gz_plain=$(gzip -dc "$tmp/small.export.CSV.gz" | wc -c)
gz_bytes=$(stat -c %s "$tmp/small.export.CSV.gz")
cat "$tmp/big.export.CSV" >/dev/null  # into the page cache: every command below reads from memory

# run NAME BYTES COMMAND…: one timed run, printed as a table row (MB = 10^6 bytes).
run() {
  local name=$1 n=$2
  shift 2
  sync  # no write-back of earlier runs' files (the input, raw copies) left to slow this one
  /usr/bin/time -v "$@" >"$tmp/out" 2>"$tmp/time" || { cat "$tmp/out" "$tmp/time" >&2; exit 1; }
  local wall user sys rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$tmp/time")
  user=$(awk -F': ' '/User time/ {print $2}' "$tmp/time")
  sys=$(awk -F': ' '/System time/ {print $2}' "$tmp/time")
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$tmp/time")
  printf '| %s | %.2f s | %.2f + %.2f s | %d MB/s | %d MB |\n' "$name" "$wall" "$user" "$sys" \
    "$(awk -v b="$n" -v w="$wall" 'BEGIN {print int(b / 1e6 / w)}')" $((rss / 1024))
}

echo "| what | wall | user + sys | throughput | peak RSS |"
echo "|---|---:|---:|---:|---:|"
"$bin" --db "$tmp/plain.db" init --reference "$data" >/dev/null
"$bin" --db "$tmp/gz.db" init --reference "$data" >/dev/null
run "\`gpsi events\` plain, $((bytes / 1000000)) MB" "$bytes" "$bin" --db "$tmp/plain.db" events "$tmp/big.export.CSV"
if [ -n "${GPSI_BIN_BEFORE:-}" ]; then
  "$GPSI_BIN_BEFORE" --db "$tmp/before.db" init --reference "$data" >/dev/null
  run "\`gpsi events\` plain, $GPSI_BIN_BEFORE" "$bytes" "$GPSI_BIN_BEFORE" --db "$tmp/before.db" events "$tmp/big.export.CSV"
fi
run "\`gpsi events\` rerun (unchanged: hash and scan, no raw copy; store untouched)" "$bytes" "$bin" --db "$tmp/plain.db" events "$tmp/big.export.CSV"
run "\`gpsi events\` gzip, $((gz_bytes / 1000000)) MB → $((gz_plain / 1000000)) MB (rate of uncompressed)" "$gz_plain" \
  "$bin" --db "$tmp/gz.db" events "$tmp/small.export.CSV.gz"
run "\`gzip -dc\` same file (zlib inflate alone, rate of uncompressed)" "$gz_plain" gzip -dc "$tmp/small.export.CSV.gz"
if command -v igzip >/dev/null; then
  run "\`igzip -dc\` same file (ISA-L inflate alone, as gpsi uses it)" "$gz_plain" igzip -dc "$tmp/small.export.CSV.gz"
fi
run "\`mawk -F'\\t' '{c[\$54]++}'\` plain" "$bytes" mawk -F'\t' '{c[$54]++} END {for (k in c) n++; print n}' "$tmp/big.export.CSV"
run "\`cat >/dev/null\` plain (read alone)" "$bytes" sh -c 'exec cat "$0" >/dev/null' "$tmp/big.export.CSV"
run "\`cp\` plain into the same folder (a raw copy alone: copy_file_range)" "$bytes" cp "$tmp/big.export.CSV" "$tmp/copy.CSV"
rm -f "$tmp/copy.CSV"
run "\`openssl dgst -sha256\` plain (the hash alone, one core)" "$bytes" openssl dgst -sha256 "$tmp/big.export.CSV"
"$bin" --db "$tmp/plain.db" --json events "$tmp/big.export.CSV" | python3 -c '
import json, sys
f = json.load(sys.stdin)["files"][0]
print("# check: " + " ".join(f"{k} {f[k]}" for k in ("lines", "events", "accepted", "no_country", "unknown_fips", "quarantined")))'
echo "# load after: $(uptime | sed 's/.*load average: //')"
