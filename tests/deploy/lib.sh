# Shared by the deploy tests: a work folder removed at exit, `gpsi serve` started in it, checks.
set -euo pipefail
work=$(mktemp -d "${TMPDIR:-/tmp}/gpsi-deploy.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# serve DB NAME: starts gpsi serve on a free port; sets the variable port_NAME.
serve() {
  local db=$1 name=$2
  "$GPSI_BINARY" --db "$db" serve --port 0 --intervals 0 --forecast-draws 0 --method "$GPSI_SOURCE/methods/gpsi.toml" \
    >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  for _ in $(seq 600); do
    grep -q '^serving ' "$work/$name.out" 2>/dev/null && break
    sleep 0.1
  done
  local p
  p=$(sed -n 's/^serving http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$work/$name.out")
  [ -n "$p" ] || { cat "$work/$name.err" >&2; fail "gpsi serve did not start"; }
  printf -v "port_$name" '%s' "$p"
}
