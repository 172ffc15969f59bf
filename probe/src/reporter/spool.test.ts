import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeIdentity } from '@flyprobe/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { Reporter } from './reporter.ts';
import { Spool } from './spool.ts';
import { toRanges } from './spool-segment.ts';
import {
  fastReporterSettings,
  staticHeartbeat,
  testIdentity,
  testOutput,
  until,
} from './testing/fixtures.ts';
import { IngestReceiver } from './testing/ingest-receiver.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flyprobe-spool-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function openReporter(dir: string, url: string, probe: ProbeIdentity, errors: Error[] = []) {
  const { spool, recovered } = await Spool.open(dir, probe, { syncMs: 10, onError: (e) => errors.push(e) });
  const reporter = new Reporter({
    probe,
    collector: { url, token: 't' },
    settings: fastReporterSettings(),
    batching: () => ({ maxBatch: 8, intervalMs: 20 }),
    heartbeat: staticHeartbeat,
    spool,
  });
  reporter.addRecovered(recovered.results);
  reporter.countLost('spool_error', recovered.unreadable);
  return { reporter, recovered };
}

const spoolFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.spool'));

describe('disk spool', () => {
  it('survives a restart: the next boot resends the previous boot results under their original keys', async () => {
    const dir = tempDir();
    const rx = await IngestReceiver.start();
    cleanups.push(() => rx.close());
    rx.behaviour = { kind: 'status', status: 503 };
    const first = testIdentity('iad-spool');
    const a = await openReporter(dir, rx.url, first);
    a.reporter.start();
    for (let i = 0; i < 20; i++) a.reporter.add(testOutput());
    await rx.waitFor(() => rx.requests >= 1, 20_000, 'a failed attempt');
    await a.reporter.stop(performance.now() + 200);
    expect(a.reporter.dropped()).toEqual({});
    expect(spoolFiles(dir).length).toBeGreaterThan(0);

    rx.behaviour = { kind: 'store' };
    const second = { ...testIdentity('iad-spool') };
    const b = await openReporter(dir, rx.url, second);
    expect(b.recovered.results.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(new Set(b.recovered.results.map((r) => r.probe.bootId))).toEqual(new Set([first.bootId]));
    b.reporter.start();
    for (let i = 0; i < 5; i++) b.reporter.add(testOutput());
    await rx.waitFor(() => rx.stored.size === 25, 20_000, 'both boots delivered');
    for (let seq = 0; seq < 20; seq++) expect(rx.stored.has(rx.key(first, seq))).toBe(true);
    for (let seq = 0; seq < 5; seq++) expect(rx.stored.has(rx.key(second, seq))).toBe(true);
    expect(rx.duplicates).toBe(0);
    // Batches never mix boots; only the current boot's batches carry a (current) heartbeat.
    for (const batch of rx.batches) {
      const boots = new Set(
        batch.results.map((r) => rx.stored.get(rx.key(batch.probe, r.seq))?.seq === r.seq),
      );
      expect(boots).toEqual(new Set([true]));
      expect(batch.heartbeat === undefined).toBe(batch.probe.bootId === first.bootId);
    }
    // Settled segments of the first boot are compacted away.
    await until(
      () => spoolFiles(dir).every((f) => f.startsWith(second.bootId)),
      20_000,
      'old segments removed',
    );
    await b.reporter.stop(performance.now() + 500);

    // A third boot finds nothing left to resend.
    const c = await openReporter(dir, rx.url, testIdentity('iad-spool'));
    expect(c.recovered.results).toEqual([]);
    await c.reporter.stop(performance.now() + 100);
  });

  it('counts torn or corrupt spool lines as lost (spool_error) and recovers the rest', async () => {
    const dir = tempDir();
    const rx = await IngestReceiver.start();
    cleanups.push(() => rx.close());
    rx.behaviour = { kind: 'status', status: 503 };
    const a = await openReporter(dir, rx.url, testIdentity());
    for (let i = 0; i < 3; i++) a.reporter.add(testOutput());
    await a.reporter.stop(performance.now() + 50);
    const file = spoolFiles(dir)[0]!;
    appendFileSync(join(dir, file), '{"s":3,"r":{"seq":3,"targ');
    const b = await openReporter(dir, rx.url, testIdentity());
    expect(b.recovered.results.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(b.recovered.unreadable).toBe(1);
    expect(b.reporter.dropped()).toEqual({ spool_error: 1 });
    await b.reporter.stop(performance.now() + 50);
  });

  it('does not resend results settled before the restart', async () => {
    const dir = tempDir();
    const rx = await IngestReceiver.start();
    cleanups.push(() => rx.close());
    const a = await openReporter(dir, rx.url, testIdentity());
    a.reporter.start();
    for (let i = 0; i < 10; i++) a.reporter.add(testOutput());
    await until(() => a.reporter.depth === 0, 20_000, 'delivered');
    rx.behaviour = { kind: 'status', status: 503 };
    for (let i = 0; i < 4; i++) a.reporter.add(testOutput());
    await a.reporter.stop(performance.now() + 100);
    const b = await openReporter(dir, rx.url, testIdentity());
    expect(b.recovered.results.map((r) => r.seq)).toEqual([10, 11, 12, 13]);
    await b.reporter.stop(performance.now() + 50);
  });
});

describe('settle ranges', () => {
  it('compresses sequence numbers into inclusive ranges', () => {
    expect(toRanges([5, 1, 2, 3, 9, 7, 8])).toEqual([
      [1, 3],
      [5, 5],
      [7, 9],
    ]);
    expect(toRanges([])).toEqual([]);
  });
});
