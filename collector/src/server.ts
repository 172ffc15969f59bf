import { jsonLogger, type Logger } from '@flyprobe/shared';
import type { Hono } from 'hono';
import { alertingPlugin } from './alerts/plugin.ts';
import { createApi } from './api/app.ts';
import type { ApiDeps } from './api/deps.ts';
import type { ApiEnv } from './api/env.ts';
import { CollectorMetrics } from './metrics.ts';
import { HeartbeatWriter } from './process/heartbeat-writer.ts';
import { Lifecycle } from './process/lifecycle.ts';
import type { CollectorPlugin, CollectorPluginFactory } from './process/plugins.ts';
import { listen } from './server/listen.ts';
import { startRetention } from './server/retention.ts';
import { loadTargetsFile } from './server/targets-file.ts';
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

/** The store's location for logs: a PostgreSQL URL without its credentials. */
function describeStore(databaseUrl: string): string {
  const where = storeLocation(databaseUrl);
  if (where.dialect === 'sqlite') return where.path;
  const u = new URL(where.url);
  return `${u.protocol}//${u.host}${u.pathname}`;
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

    const http = await listen(app.fetch, settings.host, settings.port);
    const retention = startRetention(deps);
    log('info', 'collector listening', {
      url: http.boundUrl,
      store: store.dialect,
      db: describeStore(settings.databaseUrl),
      plugins: plugins.map((p) => p.name),
    });

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        const drained = await http.close(lifecycle, settings.shutdownTimeoutMs, log);
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
    return { url: http.url, boundUrl: http.boundUrl, port: http.port, store, metrics, app, stop };
  } catch (err) {
    for (const p of plugins) await p.stop?.().catch(() => undefined);
    if (ownsStore) await store.close();
    throw err;
  }
}
