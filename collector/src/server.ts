import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { formatFieldErrors, hostPort, jsonLogger, type Logger, parseTargets } from '@flyprobe/shared';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { alertingPlugin } from './alerts/plugin.ts';
import { createApi } from './api/app.ts';
import type { ApiDeps } from './api/deps.ts';
import type { ApiEnv } from './api/env.ts';
import { CollectorMetrics } from './metrics.ts';
import { HeartbeatWriter } from './process/heartbeat-writer.ts';
import { Lifecycle } from './process/lifecycle.ts';
import type { CollectorPlugin, CollectorPluginFactory } from './process/plugins.ts';
import type { CollectorSettings } from './settings.ts';
import { openStore, storeLocation } from './store/open-store.ts';
import type { Store } from './store/store.ts';

/**
 * Plugins every collector runs unless `CollectorOptions.plugins` replaces them: each adds ingest
 * listeners (detectors) and route mounts (e.g. `/v1/alerts`). Add a factory here to plug in.
 */
export const defaultPlugins: CollectorPluginFactory[] = [alertingPlugin()];

export interface CollectorOptions {
  /** An already open store (tests, benchmarks); the caller keeps ownership and closes it. */
  store?: Store;
  /** Replaces the default plugins (alerts) when given. */
  plugins?: CollectorPluginFactory[];
  log?: Logger;
  now?: () => number;
}

export interface RunningCollector {
  /** Base URL reachable from this host, e.g. `http://127.0.0.1:8080` when bound to `::`. */
  url: string;
  /** The address the socket is really bound to, e.g. `http://[::]:8080`: what operators read in logs. */
  boundUrl: string;
  port: number;
  store: Store;
  metrics: CollectorMetrics;
  /** The Hono app being served (its `routes` list what the collector answers). */
  app: Hono<ApiEnv>;
  /** Graceful: stops accepting, finishes in-flight requests and listener work, stops plugins, closes the store. */
  stop(): Promise<void>;
}

function reachableUrl(host: string, port: number): string {
  if (host === '::' || host === '0.0.0.0' || host === '') return `http://127.0.0.1:${port}`;
  return `http://${hostPort(host, port)}`;
}

/** The store's location for logs: a PostgreSQL URL without its credentials. */
function describeStore(databaseUrl: string): string {
  const where = storeLocation(databaseUrl);
  if (where.dialect === 'sqlite') return where.path;
  const u = new URL(where.url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** Loads FLYPROBE_TARGETS_FILE into the store; an unchanged document keeps its revision (and probes' ETags). */
async function loadTargetsFile(store: Store, file: string): Promise<void> {
  let input: unknown;
  try {
    input = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`FLYPROBE_TARGETS_FILE: cannot read "${file}" as JSON: ${(err as Error).message}`);
  }
  const parsed = parseTargets(input);
  if (!parsed.ok) throw new Error(`FLYPROBE_TARGETS_FILE: "${file}": ${formatFieldErrors(parsed.errors)}`);
  await store.putTargets(parsed.targets);
}

/** Retention in the background: never overlapping runs, failures logged and counted, never blocking ingest. */
function startRetention(deps: Pick<ApiDeps, 'store' | 'settings' | 'metrics' | 'log' | 'now'>): {
  stop(): Promise<void>;
} {
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    running = (async () => {
      try {
        const policy = { rawMs: deps.settings.rawRetentionMs, rollupMs: deps.settings.rollupRetentionMs };
        const pruned = await deps.store.prune(deps.now(), policy);
        deps.metrics.retentionPruned.inc({ kind: 'raw' }, pruned.raw);
        deps.metrics.retentionPruned.inc({ kind: 'rollup' }, pruned.rollups);
      } catch (err) {
        deps.metrics.retentionErrors.inc();
        deps.log('error', 'retention run failed', { error: String(err) });
      } finally {
        running = undefined;
      }
    })();
  };
  const timer = setInterval(run, deps.settings.retentionIntervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** Starts the collector: store, plugins, HTTP API, retention; resolves once listening. */
export async function startCollector(
  settings: CollectorSettings,
  options: CollectorOptions = {},
): Promise<RunningCollector> {
  const log = options.log ?? jsonLogger;
  const now = options.now ?? Date.now;
  const ownsStore = !options.store;
  const store = options.store ?? (await openStore(settings));
  const plugins: CollectorPlugin[] = [];
  try {
    if (settings.targetsFile) await loadTargetsFile(store, settings.targetsFile);
    const metrics = new CollectorMetrics({
      maxCells: settings.metricsMaxCells,
      phases: settings.metricsPhases,
      now,
    });
    for (const factory of options.plugins ?? defaultPlugins) {
      plugins.push(await factory({ store, settings, registry: metrics.registry }));
    }
    const lifecycle = new Lifecycle();
    const heartbeats = new HeartbeatWriter(store, log);
    const deps: ApiDeps = { store, settings, metrics, lifecycle, plugins, heartbeats, now, log };
    const app = createApi(deps);

    const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: settings.host, port: settings.port }, () => resolve(s));
      s.once('error', reject);
    });
    // Bounds a slow or stalled client (body trickling in) while leaving room for an 8 MiB batch.
    if ('requestTimeout' in server) server.requestTimeout = 60_000;
    const bound = server.address() as AddressInfo;
    const port = bound.port;
    const url = reachableUrl(settings.host, port);
    const boundUrl = `http://${hostPort(bound.address, port)}`;
    const retention = startRetention(deps);
    log('info', 'collector listening', {
      url: boundUrl,
      store: store.dialect,
      db: describeStore(settings.databaseUrl),
      plugins: plugins.map((p) => p.name),
    });

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        lifecycle.beginShutdown();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        if ('closeIdleConnections' in server) server.closeIdleConnections();
        const drained = await lifecycle.drain(settings.shutdownTimeoutMs);
        if (!drained) log('warn', 'shutdown timeout: closing connections with requests still in flight');
        // Keep-alive connections are idle once their last response left; a stuck one is cut at the deadline.
        if ('closeIdleConnections' in server) server.closeIdleConnections();
        const deadline = setTimeout(
          () => {
            if ('closeAllConnections' in server) server.closeAllConnections();
          },
          drained ? 1000 : 0,
        );
        await closed;
        clearTimeout(deadline);
        await heartbeats.flush();
        await retention.stop();
        for (const p of plugins)
          await p
            .stop?.()
            .catch((err: unknown) =>
              log('error', 'plugin stop failed', { plugin: p.name, error: String(err) }),
            );
        if (ownsStore) await store.close();
        log('info', 'collector stopped', { drained });
      })();
      return stopping;
    };
    return { url, boundUrl, port, store, metrics, app, stop };
  } catch (err) {
    for (const p of plugins) await p.stop?.().catch(() => undefined);
    if (ownsStore) await store.close();
    throw err;
  }
}
