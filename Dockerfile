# tapewatch in one container: every daemon under supervisord, the dashboard
# on https://HOST:8443. docs/container.md explains each choice.
#
#   docker build -t tapewatch .     with Docker and a registry
#   make image                      podman, bases made from Debian's archive
#
# The bases are the official Debian images by default; make image passes
# locally made equivalents (BUILD_IMAGE, BASE_IMAGE).
ARG BUILD_IMAGE=debian:bookworm
ARG BASE_IMAGE=debian:bookworm-slim

# ---- build: compile, unit-test, bundle the dashboard, install to /out ----
FROM ${BUILD_IMAGE} AS build
ARG DEBIAN_FRONTEND=noninteractive
WORKDIR /src
COPY scripts/install-deps scripts/install-deps
RUN apt-get update \
    && scripts/install-deps --build \
    && rm -rf /var/lib/apt/lists/*
# npm packages from the lock file, in their own layer: a code change does
# not fetch them again; no install scripts run (as in the Makefile). Behind
# a TLS-intercepting proxy, pass its CA bundle as the build secret npm_ca
# (make image does); it is never in a layer.
COPY web/package.json web/package-lock.json web/
RUN --mount=type=secret,id=npm_ca \
    if [ -s /run/secrets/npm_ca ]; then \
        export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca; \
    fi \
    && cd web && npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN make -j"$(nproc)" all \
    && ok=0 \
    && for t in build/test/*_test; do \
        "$t" > /tmp/unit.out 2>&1 && ! grep -q '^FAIL ' /tmp/unit.out \
        || { cat /tmp/unit.out; echo "FAIL $t"; exit 1; }; \
        ok=$((ok + $(grep -c '^ok ' /tmp/unit.out))); \
    done \
    && echo "unit tests: $ok passed, 0 failed" \
    && make install DESTDIR=/out PREFIX=/usr/local INSTALL_STRIP=-s

# ---- runtime: the libraries, supervisor, the installed tree -------------
FROM ${BASE_IMAGE} AS runtime
ARG DEBIAN_FRONTEND=noninteractive
COPY scripts/install-deps /tmp/install-deps
# One layer: the runtime packages only (no compiler, no curl, no editor)
# and sqlite3, for online backups (docs/operations.md);
# then apt itself goes (dpkg refuses if anything still needs what is
# purged): the image is rebuilt, never patched in place. Python byte code
# is kept only for what supervisord and supervisorctl import (the rest
# compiles in memory if ever used). Then the user with a fixed uid, its
# directories (0700), supervisorctl's default configuration pointing at
# ours, and no setuid/setgid bit anywhere.
RUN apt-get update \
    && /tmp/install-deps --runtime \
    && apt-get install -y --no-install-recommends sqlite3 \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /tmp/install-deps \
    && dpkg --purge apt libapt-pkg6.0 gpgv debian-archive-keyring \
        libseccomp2 libxxhash0 libgnutls30 libp11-kit0 libtasn1-6 \
        libnettle8 libhogweed6 libidn2-0 libunistring2 libstdc++6 \
    && find /usr/lib/python3* -name __pycache__ -prune -exec rm -rf {} + \
    && python3 -c 'import supervisor.supervisord, supervisor.supervisorctl, \
        supervisor.rpcinterface, supervisor.http, supervisor.xmlrpc' \
    && rm -rf /var/cache/debconf/*-old /var/lib/dpkg/*-old /var/log/apt \
        /var/log/dpkg.log /var/log/alternatives.log \
    && groupadd --gid 10001 tapewatch \
    && useradd --uid 10001 --gid 10001 --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin tapewatch \
    && install -d -m 0700 -o 10001 -g 10001 \
        /var/lib/tapewatch /var/log/tapewatch /run/tapewatch \
    && ln -sf /usr/local/share/tapewatch/supervisor.conf \
        /etc/supervisor/supervisord.conf \
    && find / -xdev -type f -perm /6000 -exec chmod a-s {} +
COPY --from=build /out/ /

# ---- the image: that file system as one layer ---------------------------
# Files deleted above would still weigh in the base image's layer; copied
# into an empty image, only what is left counts.
FROM scratch
COPY --from=runtime / /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    TW_DATA_DIR=/var/lib/tapewatch \
    TW_LOG_DIR=/var/log/tapewatch \
    TW_RUN_DIR=/run/tapewatch \
    TW_BIN_DIR=/usr/local/bin \
    TW_WEB_ROOT=/usr/local/share/tapewatch/web \
    TW_WEB_LISTEN=0.0.0.0:8443 \
    TW_LOG_STDOUT=true \
    TW_STOCK_SOURCE=demo \
    TW_CRYPTO_SOURCE=demo \
    PYTHONDONTWRITEBYTECODE=1
USER 10001:10001
WORKDIR /var/lib/tapewatch
EXPOSE 8443
VOLUME ["/var/lib/tapewatch", "/var/log/tapewatch"]
# GET /healthz over TLS with openssl s_client (no curl in the image). The
# first check comes after 30 s, when the stack has long been up, so no
# --start-period (docker-compose.yml sets one; dockerfilelint 1.8 rejects
# the option by mistake).
HEALTHCHECK --interval=30s --timeout=10s --retries=3 \
    CMD ["/usr/local/bin/tapewatch-entrypoint", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/tapewatch-entrypoint"]
