import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CollectorUrls } from './collector-urls.ts';
import { Reporter } from './reporter.ts';
import { Spool } from './spool.ts';
import { fastReporterSettings, staticHeartbeat, testIdentity, testOutput } from './testing/fixtures.ts';
import { IngestReceiver } from './testing/ingest-receiver.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(): Promise<IngestReceiver> {
  const rx = await IngestReceiver.start();
  cleanups.push(() => rx.close());
  return rx;
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('collector URL order', () => {
  it('tries the active collector first, fails over in order, and prefers the first again after a while', () => {
    let now = 0;
    const urls = new CollectorUrls(['http://a', 'http://b', 'http://c'], {
      returnAfterMs: 100,
      now: () => now,
    });
    expect(urls.attempts()).toEqual(['http://a', 'http://b', 'http://c']);
    urls.failed('http://a');
    urls.succeeded('http://b');
    expect(urls.current).toBe('http://b');
    now = 50;
    expect(urls.attempts()).toEqual(['http://b', 'http://c', 'http://a']);
    now = 100;
    expect(urls.attempts()).toEqual(['http://a', 'http://b', 'http://c']);
    urls.succeeded('http://a');
    expect(urls.current).toBe('http://a');
  });
});

describe('reporter with several collectors', () => {
  it('fails over on errors, comes back to the first, and the spool keeps every result until one stores it', async () => {
    const [a, b] = [await receiver(), await receiver()];
    const dir = mkdtempSync(join(tmpdir(), 'flyprobe-failover-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const identity = testIdentity();
    const { spool } = await Spool.open(dir, identity, { syncMs: 5, onError: (e) => logs.push(String(e)) });
    const logs: string[] = [];
    const r = new Reporter({
      probe: identity,
      collector: { url: a.url, fallbackUrls: [b.url], token: 'probe-secret' },
      settings: fastReporterSettings({ failbackMs: 300, requestTimeoutMs: 500 }),
      batching: () => ({ maxBatch: 10, intervalMs: 20 }),
      heartbeat: staticHeartbeat,
      spool,
      log: (_level, m) => logs.push(m),
    });
    let stopped = false;
    cleanups.push(() => (stopped ? undefined : r.stop(performance.now() + 500)));
    r.start();

    for (let i = 0; i < 10; i++) r.add(testOutput());
    await a.waitFor(() => a.stored.size === 10, 10_000, 'first results at the first collector');

    // The first collector fails: 503, then a dropped connection, then one that never answers.
    a.behaviour = { kind: 'status', status: 503 };
    for (let i = 0; i < 10; i++) r.add(testOutput());
    await b.waitFor(() => b.stored.size === 10, 10_000, 'failover on 503');
    a.behaviour = { kind: 'destroy' };
    for (let i = 0; i < 10; i++) r.add(testOutput());
    await b.waitFor(() => b.stored.size === 20, 10_000, 'failover on a dropped connection');
    a.behaviour = { kind: 'hang' };
    for (let i = 0; i < 10; i++) r.add(testOutput());
    await b.waitFor(() => b.stored.size === 30, 10_000, 'failover on a timeout');
    expect(logs.some((m) => m.includes(`failed over to ${b.url}`))).toBe(true);

    // Both down: results wait (in memory and in the spool) and nothing is dropped.
    a.behaviour = { kind: 'status', status: 503 };
    b.behaviour = { kind: 'status', status: 502 };
    for (let i = 0; i < 10; i++) r.add(testOutput());
    await b.waitFor(() => b.requests >= 6, 10_000, 'retries while both are down');
    expect(r.depth).toBe(10);
    expect(r.dropped()).toEqual({});

    // The first comes back: after failbackMs it is preferred again.
    a.behaviour = { kind: 'store' };
    await a.waitFor(() => a.stored.size === 20, 10_000, 'back to the first collector');
    b.behaviour = { kind: 'store' };
    for (let i = 0; i < 10; i++) r.add(testOutput());
    await a.waitFor(() => a.stored.size === 30, 10_000, 'staying on the first collector');
    expect(logs.some((m) => m.includes(`back to ${a.url}`))).toBe(true);

    // Every seq is stored somewhere (a timed-out batch may be in both, which the shared database dedups).
    const seqs = new Set([...a.stored.values(), ...b.stored.values()].map((x) => x.seq));
    expect([...seqs].sort((x, y) => x - y)).toEqual(range(60));
    expect(b.stored.size).toBe(30);
    expect(r.dropped()).toEqual({});
    stopped = true;
    await r.stop(performance.now() + 1000);
    // Settled everywhere: nothing left in the spool for the next boot to resend.
    const reopened = await Spool.open(dir, testIdentity(), {
      syncMs: 5,
      onError: (e) => logs.push(String(e)),
    });
    expect(reopened.recovered.results).toHaveLength(0);
    await reopened.spool.close();
  }, 30_000);
});
