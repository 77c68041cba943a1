#!/usr/bin/env bash
# docs/deployment.md, "Backups": scripts/store-backup.sh while gpsi serves the store and an ingest
# writes to it, then scripts/store-restore.sh into a fresh place; the restored store must verify,
# give the same export and the same API answers, and a damaged backup must be refused whole.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
scripts=$GPSI_SOURCE/scripts

cp "$GPSI_STORE" "$work/live.db"
cp -a "$GPSI_STORE.blobs" "$work/live.db.blobs"
serve "$work/live.db" live

# A write during the backup: a build records its run in the store while the snapshot is taken.
"$GPSI_BINARY" -q --db "$work/live.db" build --method "$GPSI_SOURCE/methods/gpsi.toml" --out "$work/build" &
writer=$!
"$scripts/store-backup.sh" "$work/live.db" "$work/backup" || fail "backup"
wait "$writer" || fail "the build beside the backup failed"
pass "backup while serving and writing"

"$scripts/store-restore.sh" "$work/backup/live.db" "$work/restored/gpsi.db" || fail "restore"
pass "restore"

# The restored store is the backup: same export, and read commands work on it.
"$GPSI_BINARY" --db "$work/restored/gpsi.db" export > "$work/restored.csv" || fail "export of the restored store"
"$GPSI_BINARY" --db "$work/backup/live.db" export > "$work/backup.csv"
cmp -s "$work/restored.csv" "$work/backup.csv" || fail "the restored store's export differs from the backup's"
[ "$(wc -l < "$work/restored.csv")" -gt 1000 ] || fail "the restored export is nearly empty"
"$GPSI_BINARY" --db "$work/restored/gpsi.db" runs >/dev/null || fail "runs on the restored store"
pass "restored store reads as the backup"

# Served answers from the restored store are those of the original (same data, same method).
serve "$work/restored/gpsi.db" restored
for path in /api/v1/scores /api/v1/units/CHN "/api/v1/scores?year=2015"; do
  a=$(curl -sf "http://127.0.0.1:$port_live$path" | sha256sum)
  b=$(curl -sf "http://127.0.0.1:$port_restored$path" | sha256sum)
  [ "$a" = "$b" ] || fail "GET $path differs between the original and the restored store"
done
pass "API answers identical"

# A damaged backup (a raw copy changed, or missing) is refused before anything is replaced.
blob=$(find "$work/backup/live.db.blobs" -type f -print -quit)
echo tampered >> "$blob"
before=$(sha256sum "$work/restored/gpsi.db")
if "$scripts/store-restore.sh" "$work/backup/live.db" "$work/restored/gpsi.db" 2>"$work/err"; then
  fail "a tampered backup was restored"
fi
grep -q "does not match" "$work/err" || { cat "$work/err" >&2; fail "the refusal does not say which file"; }
[ "$before" = "$(sha256sum "$work/restored/gpsi.db")" ] || fail "a refused restore changed the store"
rm "$blob"
"$scripts/store-verify.sh" "$work/backup/live.db" 2>/dev/null && fail "a backup missing a raw copy verified"
pass "damaged backups refused"
