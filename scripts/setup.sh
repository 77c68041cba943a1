#!/usr/bin/env bash
# Installs the Debian packages gpsi needs, idempotently: nothing is installed when all are present.
set -euo pipefail
pkgs=(g++ cmake ninja-build pkgconf make git clang clang-format clang-tidy iso-codes sqlite3
  libsqlite3-dev libeigen3-dev libboost-math-dev liblapack-dev libopenmpi-dev openmpi-bin libfmt-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libssl-dev
  libicu-dev libcurl4-openssl-dev libcpp-httplib-dev libxlsxwriter-dev zlib1g-dev libgtest-dev libgmock-dev libbenchmark-dev libclang-rt-14-dev python3 time mawk)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing ${missing[*]}"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || true
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
