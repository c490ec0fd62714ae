# Herald — the two commands that matter: `make serve` and `make test`.
SWIFT ?= swift
BUILD_DIR := .build/debug

.PHONY: deps test-deps build serve test unit-test interop-test browser-test deploy-test format

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

## Runs every test: Swift unit tests, the interop and cluster suites with real python-socketio clients, the browser
## suite, and the deployment suite (compose, nginx in front of two instances, systemd unit, release build layout).
test: build test-deps unit-test interop-test browser-test deploy-test

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

format:
	$(SWIFT) format -i -r Sources Tests Package.swift
