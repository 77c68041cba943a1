#!/usr/bin/env bash
# Installs the Debian packages gpsi needs, idempotently: nothing is installed when all are present;
# then the dashboard's npm packages (web/node_modules) when they are missing or older than
# web/package-lock.json. Debian's chromium runs the browser tests (tests/browser); fonts-wqy-microhei
# draws the Chinese pages in their screenshots.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(g++ cmake ninja-build pkgconf make git clang clang-format clang-tidy iso-codes sqlite3
  libsqlite3-dev libeigen3-dev libboost-dev libboost-math-dev liblapack-dev libopenmpi-dev openmpi-bin libfmt-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libssl-dev
  libicu-dev libcurl4-openssl-dev libcpp-httplib-dev nginx-light libxlsxwriter-dev libisal-dev isal zlib1g-dev libgtest-dev libgmock-dev libbenchmark-dev libclang-rt-14-dev python3 time mawk chromium fonts-wqy-microhei wrk libtbb-dev libsodium-dev libre2-dev libkainjow-mustache-dev)
# NLopt's BOBYQA (the optimiser lme4's lmer uses) fits the evaluation's mixed model.
pkgs+=(libnlopt-cxx-dev)
# The PostgreSQL backend (libpqxx) and the throwaway clusters of its tests (postgresql-15).
pkgs+=(postgresql-15 libpqxx-dev)
# R's forecast package: the oracle of the forecast baselines (naive, rwf with drift) in the tests.
pkgs+=(r-base-core r-cran-forecast)
# R's psych (ICC) and lme4 (lmer): the oracles of the excellent-practice evaluation's reliability and
# mixed model in the tests.
pkgs+=(r-cran-psych r-cran-lme4)
# The Python module (bindings/python) and its tests: pybind11, the Python headers, pandas, pytest.
pkgs+=(python3-dev python3-pybind11 pybind11-dev python3-pandas python3-numpy python3-pytest)
# The report's PDFs (gpsi report --pdf): WeasyPrint, fonts (DejaVu Sans for Latin, WenQuanYi Micro Hei for
# Chinese, embedded; fonts-wqy-microhei above), fontconfig to find them; for the tests poppler-utils
# (pdftotext, pdffonts, pdftoppm) and python3-html5lib (the pages parsed as HTML, strictly).
pkgs+=(weasyprint fonts-dejavu-core fontconfig poppler-utils python3-html5lib)
# Node.js 20 comes with the machine; Debian's own (with its separate npm) only where it is missing.
command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq || echo "setup: apt-get update failed (offline?); installing from the cached package lists"
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
    { echo "setup: cannot install ${missing[*]} (offline, or no such package): install them by hand" >&2; exit 1; }
fi

# The dashboard's packages, exactly as locked; npm ci again only when the lock changed since.
# npm ci empties node_modules first, so the old one is set aside and put back if it fails (offline).
if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "setup: npm ci in web/ (dashboard and browser-test packages)"
  rm -rf web/.node_modules.old
  [ -d web/node_modules ] && mv web/node_modules web/.node_modules.old
  if npm ci --prefix web --prefer-offline --no-audit --no-fund --loglevel=error; then
    rm -rf web/.node_modules.old
  elif [ -d web/.node_modules.old ]; then
    rm -rf web/node_modules && mv web/.node_modules.old web/node_modules
    echo "setup: npm ci failed (offline?); keeping the older web/node_modules" >&2
  else
    echo "setup: npm ci failed (offline?) and there is no web/node_modules: the dashboard cannot be built" >&2
    exit 1
  fi
fi
