#!/usr/bin/env bash
# Creates the browser suite's virtualenv at the repository root, once:
#   .venv-browser: selenium (drives Debian's /usr/bin/chromium through /usr/bin/chromedriver) and pytest
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

make_env .venv-browser "selenium>=4.20,<5" "pytest>=8" "pytest-timeout>=2.2"
