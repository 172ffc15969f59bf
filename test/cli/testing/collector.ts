import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCollectorSettings, type RunningCollector, startCollector } from '@flyprobe/collector';
import { request } from 'undici';

export const ADMIN_TOKEN = 'admin-secret-for-cli-tests';

export interface TestCollector {
  url: string;
  collector: RunningCollector;
  stop(): Promise<void>;
}

/** A real collector on loopback with a SQLite file in a temp dir; `env` adds FLYPROBE_* settings. */
export async function startTestCollector(env: Record<string, string> = {}): Promise<TestCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'flyprobe-cli-'));
  const settings = loadCollectorSettings({
    FLYPROBE_DB: join(dir, 'collector.db'),
    FLYPROBE_HOST: '127.0.0.1',
    FLYPROBE_PORT: '0',
    FLYPROBE_ADMIN_TOKEN: ADMIN_TOKEN,
    ...env,
  });
  const collector = await startCollector(settings);
  return {
    url: collector.url,
    collector,
    async stop() {
      await collector.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postJson(
  url: string,
  token: string,
  body: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await request(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : null };
}

export function heartbeat(at = Date.now()) {
  return {
    at,
    uptimeS: 1,
    rssBytes: 50_000_000,
    heapUsedBytes: 20_000_000,
    eventLoopDelayMs: { p50: 1, p99: 2, max: 3 },
    bufferDepth: 0,
    bufferBytes: 0,
    dropped: {},
    missedRuns: 0,
    degraded: false,
  };
}

/** What a probe booting in a Machine sends first: its identity and a heartbeat, optionally with results. */
export function ingestBatch(region: string, machineId: string, results: readonly unknown[] = []) {
  return {
    schemaVersion: 1,
    probe: { probeId: `${region}-${machineId}`, region, machineId, bootId: 'boot-1', version: 'test' },
    results: [...results],
    heartbeat: heartbeat(),
  };
}
