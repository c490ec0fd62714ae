#!/usr/bin/env bash
# Runs the deployment suite: docker-compose.yml as Compose resolves it, deploy/nginx.conf in front of two Herald
# instances (HERALD_BUILD_DIR, default .build/debug), deploy/herald.service under systemd-analyze, and the
# Dockerfile's own release build (into .build-release, minutes the first time) checked for the image's shared
# libraries and run from the image's layout. Needs scripts/deploy-env.sh and scripts/install-deps.sh test first.
set -euo pipefail
cd "$(dirname "$0")/.."
export HERALD_BUILD_DIR=${HERALD_BUILD_DIR:-.build/debug}
for tool in nginx redis-server systemd-analyze; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "$tool is missing: run scripts/install-deps.sh test" >&2; exit 1; }
done
exec .venv-deploy/bin/python -m pytest -p no:cacheprovider --timeout 120 -q tests/deploy "$@"
