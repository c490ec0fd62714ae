#!/usr/bin/env bash
# Runs the interop suite: Socket.IO v5 clients and raw protocol tests in .venv-sio5, then v4 clients in .venv-sio4.
set -euo pipefail
cd "$(dirname "$0")/.."
export HERALD_BUILD_DIR=${HERALD_BUILD_DIR:-.build/debug}
status=0
SIO_GENERATION=5 .venv-sio5/bin/python -m pytest -p no:cacheprovider --timeout 60 -q tests/interop || status=1
SIO_GENERATION=4 .venv-sio4/bin/python -m pytest -p no:cacheprovider --timeout 60 -q tests/interop || status=1
exit $status
