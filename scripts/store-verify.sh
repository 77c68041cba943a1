#!/usr/bin/env bash
# Verifies a gpsi store (docs/deployment.md): SQLite's integrity check, and every file the store
# names present in DB.blobs/ with the sha256 it is named by. Exit 0 when whole, 1 otherwise.
# Usage: scripts/store-verify.sh DB
set -euo pipefail
db=${1:?usage: store-verify.sh DB}
[ -f "$db" ] || { echo "store-verify: no store at $db" >&2; exit 1; }
check=$(sqlite3 -readonly "$db" "PRAGMA integrity_check;")
[ "$check" = ok ] || { echo "store-verify: $db: integrity check: $check" >&2; exit 1; }
bad=0 n=0
while read -r sha; do
  n=$((n + 1))
  blob="$db.blobs/${sha:0:2}/$sha"
  if [ ! -f "$blob" ]; then
    echo "store-verify: missing raw copy $blob" >&2; bad=1
  elif [ "$(sha256sum "$blob" | cut -d' ' -f1)" != "$sha" ]; then
    echo "store-verify: raw copy $blob does not match its sha256" >&2; bad=1
  fi
done < <(sqlite3 -readonly "$db" "SELECT sha256 FROM files;")
[ $bad = 0 ] && echo "store-verify: $db ok ($n raw copies)"
exit $bad
