import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Heartbeat, IngestEnvelope, ProbeIdentity, ProbeResult } from '@flyprobe/shared';
import { silentLogger } from '@flyprobe/shared';
import { type CollectorOptions, type RunningCollector, startCollector } from '../server.ts';
import { type CollectorSettings, loadCollectorSettings } from '../settings.ts';

/** Helpers for tests that run a real collector (real SQLite file, real HTTP on loopback). */

export const ADMIN_SECRET = 'admin-secret-0123456789abcdef';
export const READ_SECRET = 'read-secret-0123456789abcdef';

export interface TestCollector {
  running: RunningCollector;
  url: string;
  dir: string;
  settings: CollectorSettings;
  close(): Promise<void>;
}

export async function startTestCollector(
  env: Record<string, string> = {},
  options: CollectorOptions = {},
): Promise<TestCollector> {
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
  const running = await startCollector(settings, { log: silentLogger, plugins: [], ...options });
  return {
    running,
    url: running.url,
    dir,
    settings,
    async close() {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** fetch with a bearer token and JSON body; returns status, headers and the parsed body. */
export async function call(
  url: string,
  init: {
    method?: string;
    token?: string;
    body?: unknown;
    rawBody?: string | Uint8Array<ArrayBuffer>;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (init.rawBody !== undefined) body = init.rawBody;
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export function probeIdentity(
  probeId: string,
  region: string,
  extra: Partial<ProbeIdentity> = {},
): ProbeIdentity {
  return {
    probeId,
    region,
    machineId: `m-${probeId}`,
    app: TEST_APP,
    bootId: 'boot-1',
    version: '0.1.0',
    ...extra,
  };
}

/** A valid result; `startedAt` defaults to a minute ago so it lands in a closed rollup minute. */
export function result(seq: number, extra: Partial<ProbeResult> = {}): ProbeResult {
  return {
    seq,
    target: 'web',
    path: 'anycast',
    protocol: 'http',
    startedAt: Date.now() - 60_000,
    latencyMs: 20,
    phases: { connect: 5, ttfb: 20, total: 21 },
    outcome: 'ok',
    httpStatus: 200,
    edgeRegion: 'fra',
    servedRegion: 'fra',
    ...extra,
  };
}

export function heartbeat(extra: Partial<Heartbeat> = {}): Heartbeat {
  return {
    at: Date.now(),
    uptimeS: 12,
    rssBytes: 50_000_000,
    heapUsedBytes: 20_000_000,
    eventLoopDelayMs: { p50: 1, p99: 5, max: 10 },
    bufferDepth: 0,
    bufferBytes: 0,
    dropped: {},
    missedRuns: 0,
    degraded: false,
    ...extra,
  };
}

export function batch(
  probe: ProbeIdentity,
  results: unknown[],
  extra: Partial<IngestEnvelope> = {},
): IngestEnvelope {
  return { schemaVersion: 1, probe, results, ...extra };
}

/** The app `probeIdentity` and `probeToken` use unless told otherwise. */
export const TEST_APP = 'probes-test';

/** Creates a token through the admin API and returns its secret. */
export async function createToken(
  url: string,
  input: {
    role: 'probe' | 'read' | 'admin';
    probeId?: string;
    app?: string;
    region?: string;
    name?: string;
    expiresAt?: number | string;
  },
): Promise<string> {
  const r = await call(`${url}/v1/tokens`, { token: ADMIN_SECRET, body: input });
  if (r.status !== 201) throw new Error(`token creation failed: ${r.status} ${r.text}`);
  return (r.body as { secret: string }).secret;
}

/** A probe token bound to the identity `probeIdentity(probeId, region)` sends. */
export function probeToken(url: string, probeId: string, region: string, name?: string): Promise<string> {
  return createToken(url, { role: 'probe', probeId, app: TEST_APP, region, ...(name ? { name } : {}) });
}
