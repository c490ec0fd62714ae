#!/usr/bin/env bash
# Creates the deployment suite's virtualenv at the repository root, once:
#   .venv-deploy: pytest, PyYAML (reads the compose file as Compose resolves it) and websocket-client (the
#   WebSocket upgrade through nginx). The suite also needs Debian's nginx and a Compose CLI (`docker compose`
#   or Debian's docker-compose); scripts/install-deps.sh installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

make_env() {
  local dir=$1 stamp=$1/.herald-requirements
  shift
  local wanted="$*"
  if [ -x "$dir/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return
  fi
  echo "creating $dir"
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
  echo "$wanted" > "$stamp"
}

make_env .venv-deploy "pytest>=8" "pytest-timeout>=2.2" "PyYAML>=6" "websocket-client>=1.7"
