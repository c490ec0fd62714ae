#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian machine, and nothing that is already there.
#   build:  libcurl4-openssl-dev (HookClient), libhiredis-dev (HeraldRedis), libssl-dev (JWT signatures),
#           zlib1g-dev (WebSocket permessage-deflate), python3-venv (test virtualenvs)
#   tests:  redis-server (store and outage tests; also run as sentinels), redis-tools (redis-cli joins the Redis
#           Cluster the tests start), chromium + chromium-driver (the demo page's browser test),
#           nginx, systemd (systemd-analyze) and docker-compose (the deployment suite)
#   bench (and tests): gcc (the benchmark's C floor server, which also links libssl-dev), redis-server (the
#           benchmark's Redis and cluster scenarios), redis-tools (redis-cli, for the benchmark's Redis Cluster)
# Usage: scripts/install-deps.sh [build|test|bench]   (default: build)
set -euo pipefail

purpose=${1:-build}
missing=()
command -v swift >/dev/null || { echo "swift is not on PATH: install the Swift 6 toolchain first" >&2; exit 1; }
command -v python3 >/dev/null || missing+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
dpkg -s libcurl4-openssl-dev >/dev/null 2>&1 || missing+=(libcurl4-openssl-dev)
dpkg -s libhiredis-dev >/dev/null 2>&1 || missing+=(libhiredis-dev)
dpkg -s libssl-dev >/dev/null 2>&1 || missing+=(libssl-dev)
dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
if [ "$purpose" = test ]; then
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v systemd-analyze >/dev/null || missing+=(systemd)
  { docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null; } || missing+=(docker-compose)
fi
if [ "$purpose" = test ] || [ "$purpose" = bench ]; then
  command -v gcc >/dev/null || missing+=(gcc)
  command -v taskset >/dev/null || missing+=(util-linux)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-cli >/dev/null || missing+=(redis-tools)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run as root or install them)" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  apt-get update -qq
  RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
