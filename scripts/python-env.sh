#!/usr/bin/env bash
# Creates the interop suite's two virtualenvs at the repository root, once:
#   .venv-sio5: python-socketio 5.x (Engine.IO v4 / Socket.IO v5 clients), raw protocol tools, PyJWT and
#               cryptography (the JWT tests sign their tokens)
#   .venv-sio4: python-socketio 4.6 with python-engineio 3.14 (Engine.IO v3 / Socket.IO v4 clients), PyJWT and
#               cryptography
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/make-env.sh

make_env .venv-sio5 "python-socketio[client]>=5.11,<6" "aiohttp>=3.9" "websocket-client>=1.7" "requests>=2.31" "pytest>=8" "pytest-timeout>=2.2" "PyJWT>=2.8" "cryptography>=41"
make_env .venv-sio4 "python-socketio[client]>=4.6,<5" "python-engineio>=3.14,<4" "websocket-client>=1.7" "requests>=2.31" "pytest>=7" "pytest-timeout>=2.2" "PyJWT>=2.8" "cryptography>=41"
