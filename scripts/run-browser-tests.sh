#!/usr/bin/env bash
# Runs the browser suite: the demo page served by `herald serve` on the bundled config, driven by headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export HERALD_BUILD_DIR=${HERALD_BUILD_DIR:-.build/debug}
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$tool" ] || { echo "$tool is missing: install Debian's chromium and chromium-driver" >&2; exit 1; }
done
exec .venv-browser/bin/python -m pytest -p no:cacheprovider --timeout 120 -q tests/browser "$@"
