import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@flyprobe/shared';
import type { Hono } from 'hono';
import { type AlertingOptions, alertingPlugin } from '../alerts/plugin.ts';
import type { ApiEnv } from '../api/env.ts';
import { type CollectorOptions, type RunningCollector, startCollector } from '../server.ts';
import { type CollectorSettings, loadCollectorSettings } from '../settings.ts';
import { type CallResult, call } from './http.ts';
import { ADMIN_SECRET, probeToken, READ_SECRET } from './tokens.ts';

export interface TestCollectorOptions extends CollectorOptions {
  /** Adds the alerting plugin with these options (silent unless `log` is given); no plugin runs otherwise. */
  alerting?: AlertingOptions;
  /** PUT to /v1/targets once listening; a refusal fails the start. */
  targets?: unknown[];
}

/** A real collector for tests: a SQLite file in a temp dir, HTTP on loopback, the bootstrap tokens. */
export interface TestCollector {
  running: RunningCollector;
  /** The Hono app being served. */
  app: Hono<ApiEnv>;
  url: string;
  dir: string;
  settings: CollectorSettings;
  /** The bootstrap admin and read secrets. */
  admin: string;
  read: string;
  /** Mints a probe token bound to `probeIdentity(probeId, region)`. */
  probeToken(probeId: string, region: string, name?: string): Promise<string>;
  /** GETs a path with the read token; `json` is the parsed body. */
  get<T>(path: string, headers?: Record<string, string>): Promise<CallResult & { json: T }>;
  /** Stops the collector and removes its directory. */
  close(): Promise<void>;
}

export async function startTestCollector(
  env: Record<string, string> = {},
  options: TestCollectorOptions = {},
): Promise<TestCollector> {
  const { alerting, targets, ...collectorOptions } = options;
  const dir = await mkdtemp(join(tmpdir(), 'flyprobe-collector-'));
  const settings = loadCollectorSettings({
    FLYPROBE_DB: join(dir, 'collector.db'),
    FLYPROBE_HOST: '127.0.0.1',
    FLYPROBE_PORT: '0',
    FLYPROBE_ADMIN_TOKEN: ADMIN_SECRET,
    FLYPROBE_READ_TOKEN: READ_SECRET,
    FLYPROBE_INGEST_RATE: '1000',
    FLYPROBE_INGEST_BURST: '1000',
    ...env,
  });
  const plugins = [
    ...(collectorOptions.plugins ?? []),
    ...(alerting ? [alertingPlugin({ log: silentLogger, ...alerting })] : []),
  ];
  const running = await startCollector(settings, { log: silentLogger, ...collectorOptions, plugins });
  const close = async () => {
    await running.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const url = running.url;
  if (targets) {
    const put = await call(`${url}/v1/targets`, { method: 'PUT', token: ADMIN_SECRET, body: targets });
    if (put.status !== 200) {
      await close();
      throw new Error(`PUT /v1/targets answered ${put.status}: ${put.text}`);
    }
  }
  return {
    running,
    app: running.app,
    url,
    dir,
    settings,
    admin: ADMIN_SECRET,
    read: READ_SECRET,
    probeToken: (probeId, region, name) => probeToken(url, probeId, region, name),
    get: async <T>(path: string, headers?: Record<string, string>) => {
      const r = await call(`${url}${path}`, { token: READ_SECRET, ...(headers ? { headers } : {}) });
      return { ...r, json: r.body as T };
    },
    close,
  };
}
