#!/usr/bin/env bash
# Runs clang-format (check only) and the allow-list clang-tidy on the project's own C++ sources.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find src tests bench -name '*.[ch]pp')
[ ${#files[@]} -gt 0 ] || exit 0
clang-format --dry-run -Werror "${files[@]}"
echo "lint: clang-format ok (${#files[@]} files)"
[ -f build/compile_commands.json ] || cmake --preset release >/dev/null
mapfile -t srcs < <(printf '%s\n' "${files[@]}" | grep -E '^src/.*\.cpp$')
# clang-tidy runs on the two cores in parallel; it reads the release build's compile_commands.json.
printf '%s\n' "${srcs[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p build --quiet 2>/dev/null >/tmp/gpsi-tidy.$$ || {
  cat /tmp/gpsi-tidy.$$; rm -f /tmp/gpsi-tidy.$$; echo "lint: clang-tidy found problems"; exit 1; }
rm -f /tmp/gpsi-tidy.$$
echo "lint: clang-tidy ok (${#srcs[@]} files)"
