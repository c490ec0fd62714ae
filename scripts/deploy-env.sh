#!/usr/bin/env bash
# Creates the deployment suite's virtualenv at the repository root, once:
#   .venv-deploy: pytest, PyYAML (reads the compose file as Compose resolves it) and websocket-client (the
#   WebSocket upgrade through nginx). The suite also needs Debian's nginx and a Compose CLI (`docker compose`
#   or Debian's docker-compose); scripts/install-deps.sh installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/make-env.sh

make_env .venv-deploy "pytest>=8" "pytest-timeout>=2.2" "PyYAML>=6" "websocket-client>=1.7"
