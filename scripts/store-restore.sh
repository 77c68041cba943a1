#!/usr/bin/env bash
# Restores a backup made by scripts/store-backup.sh (docs/deployment.md) to DB. Stop every gpsi
# that uses DB first (serve, update timers). The backup is verified before anything is replaced;
# the database is copied beside DB and renamed into place, after the -wal and -shm of the old one
# are removed (SQLite would otherwise replay the old store's log onto the restored one).
# Usage: scripts/store-restore.sh BACKUP_DB DB
set -euo pipefail
src=${1:?usage: store-restore.sh BACKUP_DB DB}
db=${2:?usage: store-restore.sh BACKUP_DB DB}
here=$(dirname "$0")
"$here/store-verify.sh" "$src" >/dev/null || { echo "store-restore: the backup $src is not whole; nothing replaced" >&2; exit 1; }
mkdir -p "$(dirname "$db")" "$db.blobs"
tar -C "$src.blobs" -cf - . | tar -C "$db.blobs" -xf -
cp -f "$src" "$db.part"
rm -f "$db-wal" "$db-shm" "$db-journal"
mv -f "$db.part" "$db"
"$here/store-verify.sh" "$db"
