import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCollectorBundle } from '../../collector/build.ts';
import {
  ADMIN_SECRET,
  batch,
  call,
  probeIdentity,
  probeToken,
  result,
  until,
} from '../../collector/src/testing/index.ts';
import { type ShippedCollector, spawnShippedCollector } from '../bench/collector-shipped.ts';
import { stopChild } from '../bench/probe-process.ts';

/** Names of a process's threads (Node names a worker thread's native thread "WorkerThread"). */
function threadNames(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    try {
      return [readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()];
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}

// The image's collector without podman: collector/build.ts's bundle, run by plain node with the Dockerfile
// collector stage's flags and ENV, on loopback with a SQLite file of its own.
describe('collector bundle', () => {
  let dir: string;
  let bundle: string;
  let collector: ShippedCollector;
  const db = () => join(dir, 'collector.db');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flyprobe-collector-bundle-'));
    bundle = await buildCollectorBundle(join(dir, 'dist'));
    collector = await spawnShippedCollector(bundle, [], {
      FLYPROBE_DB: db(),
      FLYPROBE_HOST: '127.0.0.1',
      FLYPROBE_PORT: '0',
      FLYPROBE_ADMIN_TOKEN: ADMIN_SECRET,
    });
  }, 120_000);

  afterAll(async () => {
    if (collector) await stopChild(collector.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores an ingested batch and serves it back through the API', async () => {
    const probe = probeIdentity('bundle-1', 'fra');
    const token = await probeToken(collector.url, probe.probeId, probe.region);
    const sent = [result(1), result(2, { protocol: 'tcp', httpStatus: undefined }), result(3)];
    const ingest = await call(`${collector.url}/v1/ingest`, { token, body: batch(probe, sent) });
    expect(ingest.status).toBe(200);
    expect(ingest.body).toMatchObject({ accepted: 3 });
    const read = await call(`${collector.url}/v1/results?probeId=${probe.probeId}&limit=10`, {
      token: ADMIN_SECRET,
    });
    expect(read.status).toBe(200);
    const { results } = read.body as { results: { seq: number; protocol: string }[] };
    expect(results.map((r) => [r.seq, r.protocol]).sort()).toEqual([
      [1, 'http'],
      [2, 'tcp'],
      [3, 'http'],
    ]);
  });

  it('runs its SQLite worker thread from the bundle, which keeps running after writes reach the file', async () => {
    // The bundle's SQLite work off the event loop runs in a worker bundled under workers/ (the writer
    // thread, which also checkpoints). The main connection never copies the WAL into the database file, so the file
    // growing with a worker thread still alive means the bundled worker loaded, opened SQLite and did its job
    // (a worker that fails to load ends at once; the store then falls back or refuses).
    const pid = collector.child.pid as number;
    const probe = probeIdentity('bundle-2', 'ams');
    const token = await probeToken(collector.url, probe.probeId, probe.region);
    const before = statSync(db()).size;
    const many = Array.from({ length: 500 }, (_, i) => result(i + 1, { errorMessage: 'x'.repeat(200) }));
    const ingest = await call(`${collector.url}/v1/ingest`, { token, body: batch(probe, many) });
    expect(ingest.body).toMatchObject({ accepted: 500 });
    await until(
      'the ingested pages to reach the database file',
      async () => (statSync(db()).size > before ? true : undefined),
      20_000,
      { everyMs: 100 },
    );
    expect(threadNames(pid)).toContain('WorkerThread');
  });

  it('serves the dashboard and its modules from the files the bundle carries', async () => {
    for (const path of ['/dashboard/', '/dashboard/main.js', '/dashboard/column-region.js']) {
      const res = await fetch(`${collector.url}${path}`);
      expect(res.status, path).toBe(200);
      expect((await res.text()).length, path).toBeGreaterThan(0);
    }
  });
});
