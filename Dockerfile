# syntax=docker/dockerfile:1
# One Dockerfile, two images: `--target probe` (fly.probe.toml) and `--target collector`
# (fly.collector.toml). The build stage installs production dependencies of @flyprobe/cli and the
# workspace packages it uses, and bundles the CLI twice: for the probe (probe/build.ts, without the
# collector) and for the collector (collector/build.ts, every command). Each image holds only its
# bundle: plain node without tsx's loader saves tens of MB of RSS, and no sources or node_modules ship
# (the collector's bundle carries the one native addon it needs, better-sqlite3, beside it).
# Node 24 LTS on Debian 12. `pnpm bench:image` builds the same targets FROM a locally assembled
# equivalent (debootstrap + the npm registry's Node binary) when no image registry is reachable.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG PNPM_VERSION=12.4.2
# Behind a TLS-inspecting proxy: mount its CA bundle and name it here, for npm and pnpm in this stage only.
ARG NODE_EXTRA_CA_CERTS
# No compiler: better-sqlite3 ships Node-API prebuilds (pnpm-workspace.yaml keeps pnpm from compiling it).
RUN npm install -g "pnpm@${PNPM_VERSION}"
WORKDIR /app
# Manifests first so the dependency layer is cached until they or the lockfile change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY shared/package.json shared/
COPY probe/package.json probe/
COPY collector/package.json collector/
COPY cli/package.json cli/
COPY test/package.json test/
RUN pnpm install --frozen-lockfile --prod --filter "@flyprobe/cli..."
COPY tsconfig.base.json tsconfig.json ./
COPY shared/src shared/src
COPY shared/proto shared/proto
COPY shared/build shared/build
COPY probe/src probe/src
COPY collector/src collector/src
COPY cli/bin cli/bin
COPY cli/src cli/src
COPY probe/build.ts probe/
COPY collector/build.ts collector/
COPY collector/build collector/build
# esbuild comes with tsx; `--import tsx` resolves from cli/, where tsx is a production dependency.
RUN cd cli && node --import tsx ../probe/build.ts && node --import tsx ../collector/build.ts

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
RUN groupadd --system flyprobe \
 && useradd --system --gid flyprobe --home-dir /app --no-create-home --shell /usr/sbin/nologin flyprobe
WORKDIR /app

# Probe agent: echo HTTP 8080, TCP 7070, gRPC 50051, metrics and /healthz 9091. Runs the bundled CLI
# with a small V8 young generation, an old-space cap and one V8 worker thread, for a 256 MB Machine, and
# without node's built-in start-up snapshot: bootstrapping from the built-in sources (~50 ms more at start)
# leaves the ~5 MB snapshot blob in the binary untouched, ~2-2.5 MB less RSS at the same CPU (no
# --liftoff-only since the http check stopped using undici's WebAssembly parser: it changed nothing). Figures:
# test/bench/probe-footprint.ts, which reads these flags from here. The result buffer
# (FLYPROBE_BUFFER_MAX_BYTES, default 16 MB of JSON) must stay well under the 96 MB old-space cap.
# malloc: blocks of 16 KiB and more get their own mapping, returned to the system when freed (V8's compiler
# zones and nghttp2 buffers otherwise stay in the heap as free chunks; ~3-6 MB less RSS, CPU within noise); a fixed
# threshold also stops glibc raising it after the first large free. Fewer arenas (MALLOC_ARENA_MAX) only
# moved memory into the main one. Measured and rejected: --no-maglev and --no-turbofan (-5 to -11 MB, but
# +22-24% CPU per probe), --memory-saver-mode (-5 MB, +20% CPU), --no-sparkplug (-1.5 to -2 MB, +1-3% CPU per
# HTTP check), --heap-growing-percent, --no-flush-bytecode, --single-threaded, --max-lazy, --bytecode-old-age=1,
# --max-old-space-size=32, MALLOC_ARENA_MAX=1 (no gain), --jitless and --lite-mode (-13 to -16 MB, +36-48% CPU).
FROM runtime AS probe
ENV MALLOC_MMAP_THRESHOLD_=16384
COPY --from=build /app/probe/dist /app/probe/dist
USER flyprobe
EXPOSE 8080 7070 50051 9091
ENTRYPOINT ["node", "--max-semi-space-size=1", "--max-old-space-size=96", "--v8-pool-size=1", "--no-node-snapshot", "/app/probe/dist/bin/flyprobe.mjs"]
CMD ["probe"]

# Collector: API, /metrics and /healthz on 8080, SQLite on the volume at /data. Runs collector/build.ts's
# bundle of the CLI (`flyprobe` on PATH runs it too, for operator commands over `fly ssh console`).
# A fresh Fly volume is owned by root, so the container starts as root only to hand /data to the
# flyprobe user, then drops to it (setpriv is part of util-linux in Debian) and execs node so that
# SIGTERM reaches the collector. V8 flags: 8 MiB semi-spaces instead of the default 32 for the event loop (the
# young generation is resident under ingest: ~45 MiB less RSS at the same CPU; the SQLite writer thread sets a
# 3 MiB young generation of its own, writer-thread.ts: ~6 MiB less) and one V8 helper thread; measured by
# `pnpm bench:collector-ingest`, which runs the same bundle with the flags and ENV it reads from this stage.
# Two malloc arenas instead of one per thread (main, SQLite writer thread, libuv pool): ~6 MiB less, same CPU.
# A fixed 128 KiB mmap threshold: glibc otherwise raises it to the largest block freed so far (request bodies,
# ~170 KiB), after which such blocks come from the heap and their memory stays there: ~3 MiB less, same CPU.
# Measured and rejected (issue 17, second round): --no-node-snapshot (~4.7 MiB fewer file pages of the node
# binary, a writer-thread heap of 7.8-11.0 MiB against 10.3-12.8: peak 0.6-9 MiB lower in each of nine alternated
# pairs, but results per CPU-second 0.77-1.24x, below 0.95x in six of them, median 0.94x), 4 MiB semi-spaces (~5-8
# MiB less V8 heap, 2.5-8% fewer results per CPU-second), jemalloc (LD_PRELOAD, one or two arenas, short decay: no
# lower peak), MALLOC_MMAP_THRESHOLD_=65536 (no change).
FROM runtime AS collector
ENV MALLOC_ARENA_MAX=2
ENV MALLOC_MMAP_THRESHOLD_=131072
COPY --from=build /app/collector/dist /app/collector/dist
RUN printf '#!/bin/sh\nexec node /app/collector/dist/bin/flyprobe.mjs "$@"\n' > /usr/local/bin/flyprobe \
 && chmod 755 /usr/local/bin/flyprobe
EXPOSE 8080
ENTRYPOINT []
CMD ["sh", "-c", "mkdir -p /data && chown flyprobe:flyprobe /data && exec setpriv --reuid=flyprobe --regid=flyprobe --init-groups node --max-semi-space-size=8 --v8-pool-size=1 /app/collector/dist/bin/flyprobe.mjs collector"]
