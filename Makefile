# gpsi — the two quickstart commands (`make demo`, `make test`) and their parts.
# Every target installs what it needs first, so a fresh Debian 12 machine needs nothing else.
SHELL := /bin/bash
BUILD ?= build
GPSI_DATA ?= $(abspath ../shared/data)
export GPSI_DATA
JOBS ?= $(shell nproc)

.PHONY: all setup configure build web demo test lint format clean bench fuzz sanitize

# The dashboard (web/, served by `gpsi serve --web web/dist`): rebuilt when a file it is made of changes.
WEB_INPUTS := $(shell find web/src web/public -type f 2>/dev/null) $(wildcard web/src web/public web/index.html \
  web/package.json web/package-lock.json web/vite.config.* web/tsconfig*.json)

all: build

setup:
	@bash scripts/setup.sh

configure: setup
	@cmake --preset release >/dev/null

build: configure web
	@cmake --build --preset release -j $(JOBS)

web: web/dist/index.html

web/dist/index.html: $(WEB_INPUTS) | setup
	@npm --prefix web run build --silent

demo: build
	@bash scripts/demo.sh

test: build lint
	@ctest --preset release -j $(JOBS)

# AddressSanitizer and UndefinedBehaviorSanitizer (build-asan, -O1): the unit, e2e, golden and
# fuzz-replay tests, with gpsi itself instrumented under the e2e tests. Not yet part of `make test`:
# on a clean clone its build took 38 minutes on 2 cores, after the release part's 28 (bench/RESULTS.md),
# and its e2e tests run several times slower: past CI's 90. The API, browser, deploy and Python tests run in the release build only
# (CMakePresets.json, test preset asan). A memory error, a leak (OpenMPI's own are suppressed:
# tests/lsan.supp) or undefined behaviour fails the test.
sanitize: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan -j $(JOBS)

lint: setup
	@bash scripts/lint.sh

format: setup
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

bench: build
	@bash bench/build.sh
	@build/bench/gpsi_build_bench
	@bash bench/uncertainty.sh
	@bash bench/run.sh

fuzz: setup
	@cmake --preset fuzz >/dev/null && cmake --build --preset fuzz -j $(JOBS)
	@for t in csv_reader descriptor ingest method events update upload; do mkdir -p build-fuzz/corpus/$$t && build-fuzz/tests/fuzz/fuzz_$$t -max_total_time=$${FUZZ_SECONDS:-60} -artifact_prefix=build-fuzz/crash-$$t- build-fuzz/corpus/$$t tests/fuzz/corpus/$$t || exit 1; done

clean:
	rm -rf build build-* web/dist
