# syntax=docker/dockerfile:1
# One Dockerfile, two images: `--target probe` (fly.probe.toml) and `--target collector`
# (fly.collector.toml). The build stage installs production dependencies of @flyprobe/cli and the
# workspace packages it uses, and bundles the CLI (probe/build.ts). The probe image holds only that
# bundle (plain node without tsx's loader saves ~40 MB of RSS on a 256 MB Machine, and the image
# carries no node_modules); the collector runs the CLI straight from TypeScript through tsx.
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
COPY probe/src probe/src
COPY collector/src collector/src
COPY cli/bin cli/bin
COPY cli/src cli/src
COPY probe/build.ts probe/
# esbuild comes with tsx; `--import tsx` resolves from cli/, where tsx is a production dependency.
RUN cd cli && node --import tsx ../probe/build.ts
# The image's Node runs everything: drop the development Node that the root package pins
# (node-linux-*, installed even by a filtered install; ~180 MB), and the other platforms'
# better-sqlite3 prebuilds and the SQLite sources it would compile from (~20 MB).
RUN rm -rf node_modules/node-linux-* node_modules/.pnpm/node-linux-* node_modules/.bin/node \
 && cd node_modules/.pnpm/better-sqlite3@*/node_modules/better-sqlite3 \
 && find prebuilds -type f ! -name "linux-$(node -p process.arch).node" -delete \
 && rm -rf deps src

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
RUN groupadd --system flyprobe \
 && useradd --system --gid flyprobe --home-dir /app --no-create-home --shell /usr/sbin/nologin flyprobe
WORKDIR /app

# Probe agent: echo HTTP 8080, TCP 7070, gRPC 50051, metrics and /healthz 9091. Runs the bundled CLI
# with a small V8 young generation, an old-space cap and one V8 worker thread, for a 256 MB Machine;
# --liftoff-only keeps undici's llhttp WebAssembly parser on the baseline compiler (TurboFan's tier-up of
# it peaked at ~22 MB of compiler memory that stayed resident, for no measurable CPU gain). Figures:
# test/bench/probe-footprint.ts, which reads these flags from here. The result buffer
# (FLYPROBE_BUFFER_MAX_BYTES, default 16 MB of JSON) must stay well under the 96 MB old-space cap.
FROM runtime AS probe
COPY --from=build /app/probe/dist /app/probe/dist
USER flyprobe
EXPOSE 8080 7070 50051 9091
ENTRYPOINT ["node", "--max-semi-space-size=1", "--max-old-space-size=96", "--v8-pool-size=1", "--liftoff-only", "/app/probe/dist/bin/flyprobe.mjs"]
CMD ["probe"]

# Collector: API, /metrics and /healthz on 8080, SQLite on the volume at /data.
# A fresh Fly volume is owned by root, so the container starts as root only to hand /data to the
# flyprobe user, then drops to it (setpriv is part of util-linux in Debian) and execs node so that
# SIGTERM reaches the collector. V8 flags: 8 MiB semi-spaces instead of the default 32 (the young generation
# is resident under ingest: ~45 MiB less RSS at the same CPU) and one V8 helper thread; measured by
# `pnpm bench:collector-ingest`, which starts its collector with the same flags (COLLECTOR_NODE_FLAGS).
# Two malloc arenas instead of one per thread (main, checkpointer worker, libuv pool): ~6 MiB less, same CPU.
FROM runtime AS collector
ENV MALLOC_ARENA_MAX=2
COPY --from=build /app /app
EXPOSE 8080
ENTRYPOINT []
CMD ["sh", "-c", "mkdir -p /data && chown flyprobe:flyprobe /data && exec setpriv --reuid=flyprobe --regid=flyprobe --init-groups node --max-semi-space-size=8 --v8-pool-size=1 /app/cli/bin/flyprobe.mjs collector"]
