#!/usr/bin/env bash
# Online backup of a gpsi store (docs/deployment.md), safe while gpsi serves or writes it:
#  1. the database through SQLite's backup API (a consistent snapshot; it waits up to 30 s for a
#     writer), written beside and renamed into place;
#  2. then the raw copies of DB.blobs/: content-addressed and never changed once written, and
#     written before the row naming them is committed, so every file the snapshot names is there.
# Ends with scripts/store-verify.sh on the copy. Usage: scripts/store-backup.sh DB DEST_FOLDER
set -euo pipefail
db=${1:?usage: store-backup.sh DB DEST_FOLDER}
dest=${2:?usage: store-backup.sh DB DEST_FOLDER}
[ -f "$db" ] || { echo "store-backup: no store at $db" >&2; exit 1; }
name=$(basename "$db")
mkdir -p "$dest/$name.blobs"
rm -f "$dest/$name.part"
sqlite3 "$db" ".timeout 30000" ".backup '$dest/$name.part'"
mv -f "$dest/$name.part" "$dest/$name"
# Raw copies still being written (.tmp-*) belong to no committed row.
if [ -d "$db.blobs" ]; then
  tar -C "$db.blobs" --exclude='.tmp-*' -cf - . | tar -C "$dest/$name.blobs" -xf -
fi
"$(dirname "$0")/store-verify.sh" "$dest/$name"
