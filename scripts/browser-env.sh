#!/usr/bin/env bash
# Creates the browser suite's virtualenv at the repository root, once:
#   .venv-browser: selenium (drives Debian's /usr/bin/chromium through /usr/bin/chromedriver) and pytest
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/make-env.sh

make_env .venv-browser "selenium>=4.20,<5" "pytest>=8" "pytest-timeout>=2.2"
