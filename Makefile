# Herald — the two commands that matter: `make serve` and `make test`.
SWIFT ?= swift
BUILD_DIR := .build/debug

.PHONY: deps test-deps build serve test unit-test interop-test browser-test deploy-test bench-test bench bench-config chaos format fuzz

deps:
	@scripts/install-deps.sh build

test-deps:
	@scripts/install-deps.sh test

build: deps
	$(SWIFT) build

## Runs Herald on the bundled config.yml and sites.yml: in-memory store, the `demo` site, the demo page at /.
serve: build
	@echo "Herald on http://127.0.0.1:1337/ (demo page at /, Socket.IO at /socket.io/, POST /send)"
	$(BUILD_DIR)/herald serve --config config.yml --sites sites.yml

## Runs every test: Swift unit tests (the fuzz corpus included), the interop and cluster suites with real
## python-socketio clients, the browser suite, the deployment suite (compose, nginx in front of two instances, systemd
## unit, release build layout), the benchmark harness's own test, and every fuzz target for FUZZ_SECONDS.
test: build test-deps unit-test interop-test browser-test deploy-test bench-test fuzz

unit-test:
	$(SWIFT) test

interop-test:
	@scripts/python-env.sh
	HERALD_BUILD_DIR=$(BUILD_DIR) scripts/run-interop.sh

browser-test:
	@scripts/browser-env.sh
	HERALD_BUILD_DIR=$(BUILD_DIR) scripts/run-browser-tests.sh

deploy-test:
	@scripts/deploy-env.sh
	HERALD_BUILD_DIR=$(BUILD_DIR) scripts/run-deploy-tests.sh

## The benchmark harness's own test: a tiny real run against Herald, the floor server and a redis-server through every
## scenario at 2 interleaved rounds, plus unit tests of the pairing and the rejection of noisy rounds (about 2 minutes).
bench-test:
	@scripts/python-env.sh
	HERALD_BUILD_DIR=$(BUILD_DIR) .venv-sio5/bin/python -m pytest -p no:cacheprovider --timeout 180 -q tests/bench

## Benchmarks Herald's release build beside the C floor server (../shared/bench/floor_server.c) and the
## python-socketio peer, pinned to one core each: writes BENCHMARKS.md, bench/results/*.json and
## bench/results/fanout.png (docs/benchmarking.md); every verdict ratio is the median of 5 interleaved floor/Herald
## pairs (about 20 minutes). Quicker: make bench BENCH_ARGS="--quick"; larger: BENCH_ARGS="--messages 500 --max-deliveries 5000000"
bench: deps
	@scripts/install-deps.sh bench
	python3 bench/run.py $(BENCH_ARGS)

## The chaos suite at its published sizes (200 devices, 60 s per case, connections cut every ~15 s for ~2 s),
## writing each case's figures to bench/results/chaos/ and the Reliability section of BENCHMARKS.md. Its short
## form runs in make test (interop-test).
chaos: build
	@scripts/python-env.sh
	CHAOS_SCALE=long CHAOS_RESULTS=bench/results/chaos SIO_GENERATION=5 HERALD_BUILD_DIR=$(BUILD_DIR) \
		.venv-sio5/bin/python -m pytest -p no:cacheprovider --timeout 900 -q -s tests/interop/chaos
	python3 bench/chaos_report.py

## How long Herald's release build takes to read a sites.yml with a 1,000,000-token table, beside PyYAML's libyaml
## loader reading the same file (bench/config_load.py; a few minutes). Other sizes: make bench-config BENCH_CONFIG_ARGS="--tokens 100000"
bench-config: deps
	$(SWIFT) build -c release --product herald --scratch-path .build-release
	python3 bench/config_load.py $(BENCH_CONFIG_ARGS)

## Fuzzes every parser with libFuzzer and AddressSanitizer for FUZZ_SECONDS each (default 30; ~6 minutes in all
## plus the first build), starting from the committed corpus in Tests/FuzzCorpus; prints executions and coverage per
## target and fails on a crash, leaving the reproducer in .build-fuzz/fuzz-artifacts/<target>/.
## Some targets only: make fuzz FUZZ_TARGETS="json form-body" FUZZ_SECONDS=300
FUZZ_SECONDS ?= 30
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" scripts/run-fuzz.sh

format:
	$(SWIFT) format -i -r Sources Tests Package.swift
