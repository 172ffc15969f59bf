import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@flyprobe/shared';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CollectorPlugin } from '../process/plugins.ts';
import { defaultPlugins, startCollector } from '../server.ts';
import { loadCollectorSettings } from '../settings.ts';
import { openSqliteStore } from '../store/index.ts';
import { storeLocation } from '../store/open-store.ts';
import {
  ADMIN_SECRET,
  batch,
  call,
  probeIdentity,
  probeToken,
  READ_SECRET,
  result,
  startTestCollector,
  type TestCollector,
} from '../testing/index.ts';
import type { ApiEnv } from './env.ts';
import { requireRole } from './middleware/auth.ts';

// Real servers and SQLite files on a busy shared machine: generous bounds, never wall-clock assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

describe('loadCollectorSettings', () => {
  it('names every bad variable and why', () => {
    expect(() =>
      loadCollectorSettings({
        FLYPROBE_PORT: 'eighty',
        FLYPROBE_ADMIN_TOKEN: 'short',
        FLYPROBE_MESH: 'maybe',
      }),
    ).toThrow(
      /FLYPROBE_PORT: must be an integer from 0 to 65535, got "eighty".*FLYPROBE_ADMIN_TOKEN: must be 1 to 4 comma-separated secrets of at least 16 characters.*FLYPROBE_MESH: must be true or false/,
    );
  });
  it('chooses the store from FLYPROBE_DATABASE_URL and refuses other schemes, hiding credentials', () => {
    expect(loadCollectorSettings({ FLYPROBE_DB: '/data/x.db' }).databaseUrl).toBe('/data/x.db');
    expect(
      storeLocation(loadCollectorSettings({ FLYPROBE_DATABASE_URL: 'file:/data/y.db' }).databaseUrl),
    ).toEqual({
      dialect: 'sqlite',
      path: '/data/y.db',
    });
    expect(storeLocation('postgresql://u:p@db:5432/flyprobe')).toEqual({
      dialect: 'postgres',
      url: 'postgresql://u:p@db:5432/flyprobe',
    });
    expect(() => loadCollectorSettings({ FLYPROBE_DATABASE_URL: 'mysql://u:hunter2@db/x' })).toThrow(
      /FLYPROBE_DATABASE_URL: unsupported scheme in "mysql:\/\/\*\*\*@db\/x"/,
    );
    expect(() => loadCollectorSettings({ FLYPROBE_DATABASE_URL: 'file:' })).toThrow(
      /FLYPROBE_DATABASE_URL: file: needs a path/,
    );
  });

  it('applies the documented defaults', () => {
    const s = loadCollectorSettings({});
    expect(s).toMatchObject({
      port: 8080,
      rawRetentionMs: 48 * 3_600_000,
      rollupRetentionMs: 30 * 86_400_000,
      adminTokens: [],
      allowUnboundProbes: false,
      meshAllowCidrs: [],
    });
  });
});

describe('startCollector', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flyprobe-server-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('loads FLYPROBE_TARGETS_FILE at start', async () => {
    const file = join(dir, 'targets.json');
    await writeFile(file, JSON.stringify([{ name: 'web', host: 'web.fly.dev', regions: ['ams'] }]));
    const tc = await startTestCollector({ FLYPROBE_TARGETS_FILE: file });
    try {
      const r = await call(`${tc.url}/v1/targets`, { token: READ_SECRET });
      expect((r.body as { targets: { name: string; regions: string[] }[] }).targets).toMatchObject([
        { name: 'web', regions: ['ams'] },
      ]);
    } finally {
      await tc.close();
    }
  });

  it('refuses to start on an invalid targets file, naming the variable and field', async () => {
    const file = join(dir, 'bad-targets.json');
    await writeFile(file, JSON.stringify([{ name: 'web', timeoutMs: -1 }]));
    const settings = loadCollectorSettings({
      FLYPROBE_DB: join(dir, 'bad.db'),
      FLYPROBE_HOST: '127.0.0.1',
      FLYPROBE_PORT: '0',
      FLYPROBE_TARGETS_FILE: file,
    });
    await expect(startCollector(settings, { log: silentLogger, plugins: [] })).rejects.toThrow(
      /FLYPROBE_TARGETS_FILE: .*\[0\]\.timeoutMs: must not be negative/,
    );
  });

  it('answers /healthz and /readyz, and /readyz 503 once the store is gone', async () => {
    const store = await openSqliteStore({ path: join(dir, 'ready.db') });
    const settings = loadCollectorSettings({ FLYPROBE_HOST: '127.0.0.1', FLYPROBE_PORT: '0' });
    const running = await startCollector(settings, { store, log: silentLogger, plugins: [] });
    try {
      expect((await call(`${running.url}/healthz`)).status).toBe(200);
      expect((await call(`${running.url}/readyz`)).body).toEqual({ status: 'ready' });
      await store.close();
      const r = await call(`${running.url}/readyz`);
      expect(r.status).toBe(503);
      expect(r.body).toEqual({ status: 'store_unavailable' });
    } finally {
      await running.stop();
    }
  });

  it('runs retention in the background: raw results past FLYPROBE_RAW_RETENTION_HOURS go', async () => {
    const tc = await startTestCollector({
      FLYPROBE_RAW_RETENTION_HOURS: '1',
      FLYPROBE_RETENTION_INTERVAL_S: '1',
    });
    try {
      // Ingest refuses results already past retention, so the aged one goes straight into the store.
      const old = Date.now() - 2 * 3_600_000;
      const stored = await tc.running.store.insertResults(
        probeIdentity('p-old', 'ams'),
        [result(1, { startedAt: old }), result(2)],
        Date.now(),
      );
      expect(stored.inserted).toHaveLength(2);
      await expect
        .poll(
          async () => (await tc.running.store.listResults({ probeId: 'p-old', limit: 10 })).map((x) => x.seq),
          {
            timeout: 15_000,
            interval: 200,
          },
        )
        .toEqual([2]);
      const m = (await call(`${tc.url}/metrics`)).text;
      expect(
        Number(/flyprobe_collector_retention_pruned_rows_total\{kind="raw"\} (\d+)/.exec(m)?.[1]),
      ).toBeGreaterThanOrEqual(1);
    } finally {
      await tc.close();
    }
  });

  it('finishes an in-flight batch during a graceful stop, then closes the store', async () => {
    const path = join(dir, 'graceful.db');
    const settings = loadCollectorSettings({
      FLYPROBE_DB: path,
      FLYPROBE_HOST: '127.0.0.1',
      FLYPROBE_PORT: '0',
      FLYPROBE_ADMIN_TOKEN: ADMIN_SECRET,
      FLYPROBE_SHUTDOWN_TIMEOUT_MS: '30000',
    });
    const running = await startCollector(settings, { log: silentLogger, plugins: [] });
    const token = await probeToken(running.url, 'p-ams-1', 'ams');
    const text = JSON.stringify(
      batch(
        probeIdentity('p-ams-1', 'ams'),
        Array.from({ length: 300 }, (_, i) => result(i)),
      ),
    );
    const half = Math.floor(text.length / 2);
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
        c.enqueue(new TextEncoder().encode(text.slice(0, half)));
      },
    });
    const response = fetch(`${running.url}/v1/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    // The scrape itself is one request in flight; two means the ingest is being handled.
    await expect
      .poll(
        async () =>
          (await call(`${running.url}/metrics`)).text.match(
            /^flyprobe_collector_http_requests_in_flight (\d+)/m,
          )?.[1],
        {
          timeout: 10_000,
          interval: 20,
        },
      )
      .toBe('2');
    let stopped = false;
    const stopping = running.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
    controller?.enqueue(new TextEncoder().encode(text.slice(half)));
    controller?.close();
    const res = await response;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 300, duplicate: 0, rejected: [] });
    await stopping;
    const reopened = await openSqliteStore({ path });
    try {
      expect(await reopened.listResults({ probeId: 'p-ams-1', limit: 1000 })).toHaveLength(300);
    } finally {
      await reopened.close();
    }
  });
});

describe('route inventory', () => {
  let tc: TestCollector;
  const pluginApp = new Hono<ApiEnv>();
  pluginApp.get('/', requireRole('read'), (c) => c.json({ items: [] }));
  const plugin: CollectorPlugin = {
    name: 'example',
    routes: [
      {
        path: '/v1/example',
        app: pluginApp,
        openapi: { '/v1/example': { get: { summary: 'Example plugin route.', responses: {} } } },
      },
    ],
  };
  beforeAll(async () => {
    // The default plugins (alerts) too: their routes must be documented as well.
    tc = await startTestCollector({}, { plugins: [...defaultPlugins, () => plugin] });
  });
  afterAll(async () => tc?.close());

  it('lists every route the app serves in /openapi.json, and nothing it does not serve', async () => {
    const doc = (await call(`${tc.url}/openapi.json`)).body as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const served = new Set(
      tc.running.app.routes
        .filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1')}`),
    );
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`)),
    );
    expect([...served].sort()).toEqual([...documented].sort());
    expect(served).toContain('get /v1/example');
    expect(served).toContain('get /v1/alerts');
  });

  it('serves plugin routes behind the collector authentication', async () => {
    expect((await call(`${tc.url}/v1/example`)).status).toBe(401);
    expect((await call(`${tc.url}/v1/example`, { token: READ_SECRET })).body).toEqual({ items: [] });
  });
});

describe('/metrics', () => {
  const promtool = spawnSync('promtool', ['--version']).status === 0;
  it.skipIf(!promtool)(
    'passes promtool check metrics after real traffic (needs the promtool binary)',
    async () => {
      const tc = await startTestCollector();
      try {
        const token = await probeToken(tc.url, 'p-1', 'iad');
        await call(`${tc.url}/v1/ingest`, {
          token,
          body: batch(probeIdentity('p-1', 'iad'), [
            result(1),
            result(2, { outcome: 'reset', latencyMs: undefined }),
            { bad: true },
          ]),
        });
        await call(`${tc.url}/v1/ingest`, {
          token,
          rawBody: '{',
          headers: { 'content-type': 'application/json' },
        });
        const text = (await call(`${tc.url}/metrics`)).text;
        expect(text).toContain('flyprobe_collector_ingest_rejects_total{reason="invalid_json"} 1');
        const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
        expect(check.stdout + check.stderr).toBe('');
        expect(check.status).toBe(0);
      } finally {
        await tc.close();
      }
    },
  );

  it('wants the metrics token when FLYPROBE_METRICS_TOKEN is set', async () => {
    const tc = await startTestCollector({ FLYPROBE_METRICS_TOKEN: 'metrics-secret-0123456789' });
    try {
      expect((await call(`${tc.url}/metrics`)).status).toBe(401);
      expect((await call(`${tc.url}/metrics`, { token: 'metrics-secret-0123456789' })).status).toBe(200);
    } finally {
      await tc.close();
    }
  });
});
