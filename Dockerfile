# Herald container image: a release build of `herald` on Debian 12, run as a non-root user.
#
#   docker build -t herald .
#   docker run -p 1337:1337 -v "$PWD/sites.yml:/etc/herald/sites.yml:ro" herald
#   docker run -p 1337:1337 -e SITE_NAME=shop -e AUTH_URL=https://shop.example/rooms -e API_KEY=... herald
#
# The image ships no sites.yml (the repository's one has a demo site with public credentials): mount one at
# /etc/herald/sites.yml, or describe the single site with SITE_NAME, AUTH_URL and API_KEY. A config.yml mounted at
# /etc/herald/config.yml is read; without one Herald runs on its defaults (port 1337 on all interfaces, memory
# store). Every environment variable of docs/configuration.md works; REDIS_URL and a distinct FLAKE_WORKER per
# instance are what several instances behind one load balancer need (deploy/README.md).

# ---- build: the Swift toolchain and the -dev packages of the C libraries Herald links ----
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libhiredis-dev libcurl4-openssl-dev libssl-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolving the packages first keeps them in a cached layer that source edits do not invalidate.
COPY Package.swift Package.resolved ./
RUN swift package resolve
COPY . .
# --static-swift-stdlib links the Swift runtime and Foundation into the binary, so the runtime image needs no
# Swift libraries. Dropping the debug sections halves the binary (about 100 MB instead of 140) and keeps the symbol
# table, so crash backtraces still name functions. The resource bundle (the demo page) must sit next to the
# binary: Bundle.module looks there.
RUN swift build -c release --product herald --static-swift-stdlib \
    && bin="$(swift build -c release --show-bin-path)" \
    && mkdir -p /staging \
    && cp "$bin/herald" /staging/herald \
    && strip --strip-debug /staging/herald \
    && cp -R "$bin/herald_HeraldServer.resources" /staging/herald_HeraldServer.resources

# ---- runtime: only the shared libraries the binary needs ----
FROM debian:bookworm-slim
# libhiredis0.14: RESP parsing for Redis. libcurl4: authUrl / updateUserUrl calls. libssl3: libcrypto, for JWT
# signatures (libcurl4 brings it too; named so the image does not depend on that). zlib1g: WebSocket
# permessage-deflate (essential in Debian, named for the same reason).
# ca-certificates: HTTPS hooks and rediss://. curl: the HEALTHCHECK below (it reuses libcurl4, so it adds little).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libhiredis0.14 libcurl4 libssl3 zlib1g ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin herald \
    && mkdir -p /etc/herald
COPY --from=build /staging/ /usr/local/bin/
# Herald reads ./config.yml and ./sites.yml: mount them here (read-only is enough).
WORKDIR /etc/herald
USER 10001:10001
EXPOSE 1337
# Herald drains for at most 10 s on SIGTERM; give `docker stop` more than that (docker stop -t 15, compose
# stop_grace_period: 15s, Kubernetes terminationGracePeriodSeconds >= 15).
STOPSIGNAL SIGTERM
# Follows PORT; if the port comes from a mounted config.yml instead, override the health check too.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${PORT:-1337}/healthcheck" || exit 1
ENTRYPOINT ["/usr/local/bin/herald"]
CMD ["serve"]
