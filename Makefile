# gpsi — the two quickstart commands (`make demo`, `make test`) and their parts.
# Every target installs what it needs first, so a fresh Debian 12 machine needs nothing else.
SHELL := /bin/bash
BUILD ?= build
GPSI_DATA ?= $(abspath ../shared/data)
export GPSI_DATA
JOBS ?= $(shell nproc)

.PHONY: all setup configure build web demo test lint format clean bench fuzz sanitize sanitize-ci

# The dashboard (web/, served by `gpsi serve --web web/dist`): rebuilt when a file it is made of changes.
WEB_INPUTS := $(shell find web/src web/public -type f 2>/dev/null) $(wildcard web/src web/public web/index.html \
  web/package.json web/package-lock.json web/vite.config.* web/tsconfig*.json)

all: build

setup:
	@bash scripts/setup.sh

configure: setup
	@cmake --preset release >/dev/null

# Each step of `make test` prints when it starts (UTC), so a CI log shows where its time went.
build: configure web
	@echo "build: release build from $$(date -u +%T)"
	@cmake --build --preset release -j $(JOBS)

web: web/dist/index.html

web/dist/index.html: $(WEB_INPUTS) | setup
	@npm --prefix web run build --silent

demo: build
	@bash scripts/demo.sh

test: build lint
	@echo "test: release tests from $$(date -u +%T)"
	@ctest --preset release -j $(JOBS)
	@echo "test: sanitizer build and tests from $$(date -u +%T)"
	@$(MAKE) --no-print-directory sanitize-ci
	@echo "test: done at $$(date -u +%T)"

# AddressSanitizer and UndefinedBehaviorSanitizer (build-asan: -O0, line tables only, the libraries
# in unity builds; GCC 12 optimising UBSan's checks at -O1 took six times as long and more, which
# CI's 90 minutes could not hold: bench/RESULTS.md). A memory error, a leak (OpenMPI's own are
# suppressed: tests/lsan.supp) or undefined behaviour fails the test. The API, browser, deploy and Python tests run in the release
# build only (CMakePresets.json, test preset asan).
#  - sanitize-ci, the part `make test` runs: the unit tests of every module and the fuzz corpora
#    replayed (labels unit and fuzz), built alone. It fits beside the release tests in CI's 90
#    minutes on 2 cores (bench/RESULTS.md, "CI's time at -O0").
#  - sanitize: every test of the asan preset, e2e and golden too, with gpsi itself instrumented
#    under the e2e tests: over an hour more on 2 cores, so run by hand before a release.
ASAN_CI_TARGETS := $(foreach m,core model store platform ingest method compute analysis forecast evaluation risk engine report server,gpsi_unit_$(m)) \
  $(foreach t,csv_reader descriptor ingest method events update upload campaign project project_sheet http form_data,fuzz_replay_$(t))

sanitize-ci: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS) --target $(ASAN_CI_TARGETS)
	@ctest --preset asan -j $(JOBS) -L '^(unit|fuzz)$$'

sanitize: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan -j $(JOBS)

lint: setup
	@echo "lint: from $$(date -u +%T)"
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
	@for t in csv_reader descriptor ingest method events update upload campaign project project_sheet; do mkdir -p build-fuzz/corpus/$$t && build-fuzz/tests/fuzz/fuzz_$$t -max_total_time=$${FUZZ_SECONDS:-60} -artifact_prefix=build-fuzz/crash-$$t- build-fuzz/corpus/$$t tests/fuzz/corpus/$$t || exit 1; done

clean:
	rm -rf build build-* web/dist
