#!/usr/bin/env bash
# Runs clang-format (check only), the layer check (scripts/check_layers.py: no include skips a layer of
# ARCHITECTURE.md's module table) and the allow-list clang-tidy on the project's own C++ sources.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find src tests bench -name '*.[ch]pp')
[ ${#files[@]} -gt 0 ] || exit 0
clang-format --dry-run -Werror "${files[@]}"
echo "lint: clang-format ok (${#files[@]} files)"
python3 scripts/check_layers.py
# The dashboard's API types are generated from the OpenAPI document (npm run api-types in web/):
# a change to src/server/openapi.json without regenerating them fails here.
api_types=$(mktemp --suffix=.ts)
web/node_modules/.bin/openapi-typescript src/server/openapi.json -o "$api_types" >/dev/null 2>&1
if ! diff -q "$api_types" web/src/api-types.ts >/dev/null; then
  rm -f "$api_types"
  echo "lint: web/src/api-types.ts is stale: run 'npm --prefix web run api-types'" >&2
  exit 1
fi
rm -f "$api_types"
echo "lint: dashboard API types up to date"
[ -f build/compile_commands.json ] || cmake --preset release >/dev/null
mapfile -t srcs < <(printf '%s\n' "${files[@]}" | grep -E '^src/.*\.cpp$')
# clang-tidy runs on the two cores in parallel; it reads the release build's compile_commands.json.
printf '%s\n' "${srcs[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p build --quiet 2>/dev/null >/tmp/gpsi-tidy.$$ || {
  cat /tmp/gpsi-tidy.$$; rm -f /tmp/gpsi-tidy.$$; echo "lint: clang-tidy found problems"; exit 1; }
rm -f /tmp/gpsi-tidy.$$
echo "lint: clang-tidy ok (${#srcs[@]} files)"
