# Herald — the two commands that matter: `make serve` and `make test`.
SWIFT ?= swift
BUILD_DIR := .build/debug

.PHONY: deps build serve test unit-test interop-test format

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

## Runs the service. Until the Herald service lands (issue #3) this starts the Socket.IO reference server.
serve: build
	@echo "Herald's service arrives with issue #3; serving the socketio-conformance reference server on http://127.0.0.1:3000/socket.io/"
	$(BUILD_DIR)/socketio-conformance --port 3000

## Runs every test: Swift unit tests, then the interop suite with real python-socketio clients.
test: build unit-test interop-test

unit-test:
	$(SWIFT) test

interop-test:
	@scripts/python-env.sh
	HERALD_BUILD_DIR=$(BUILD_DIR) scripts/run-interop.sh

format:
	$(SWIFT) format -i -r Sources Tests Package.swift
