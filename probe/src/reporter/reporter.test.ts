import type { Logger } from '@flyprobe/shared';
import { freePort } from '@flyprobe/shared/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ProbeMetrics } from '../health/metrics.ts';
import { Reporter } from './reporter.ts';
import {
  fastReporterSettings,
  staticHeartbeat,
  testIdentity,
  testOutput,
  until,
} from './testing/fixtures.ts';
import { IngestReceiver } from './testing/ingest-receiver.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(port = 0): Promise<IngestReceiver> {
  const rx = await IngestReceiver.start(port);
  cleanups.push(() => rx.close());
  return rx;
}

function reporter(
  url: string,
  opts: {
    maxBatch?: number;
    intervalMs?: number;
    settings?: Parameters<typeof fastReporterSettings>[0];
    log?: Logger;
  } = {},
) {
  const metrics = new ProbeMetrics({
    heartbeat: staticHeartbeat,
    checksScheduled: () => 0,
    streamsOpen: () => 0,
    breakerOpen: () => false,
  });
  const r = new Reporter({
    probe: testIdentity(),
    collector: { url, token: 'probe-secret' },
    settings: fastReporterSettings(opts.settings),
    batching: () => ({ maxBatch: opts.maxBatch ?? 500, intervalMs: opts.intervalMs ?? 50 }),
    heartbeat: staticHeartbeat,
    metrics,
    ...(opts.log ? { log: opts.log } : {}),
  });
  cleanups.push(() => r.stop(performance.now() + 200));
  return { r, metrics };
}

function seqsOf(rx: IngestReceiver): number[] {
  return [...rx.stored.values()].map((x) => x.seq).sort((a, b) => a - b);
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

async function counterValue(
  metrics: ProbeMetrics,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const m = await metrics.registry.getSingleMetric(name)?.get();
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

describe('reporter batching', () => {
  it('sends full batches as soon as they fill up, with the bearer token and heartbeat', async () => {
    const rx = await receiver();
    const { r } = reporter(rx.url, { maxBatch: 5, intervalMs: 60_000 });
    for (let i = 0; i < 12; i++) r.add(testOutput());
    r.start();
    // The 2 left over wait for the (long) flush interval.
    await until(() => r.depth === 2, 20_000, 'two full batches settled');
    expect(rx.batches.map((b) => b.results.length)).toEqual([5, 5]);
    expect(rx.batches[0]?.authorization).toBe('Bearer probe-secret');
    expect(rx.batches[0]?.heartbeat?.degraded).toBe(false);
  });

  it('sends a partial batch when the flush interval passes', async () => {
    const rx = await receiver();
    const { r } = reporter(rx.url, { maxBatch: 500, intervalMs: 100 });
    r.start();
    for (let i = 0; i < 3; i++) r.add(testOutput());
    await rx.waitFor(() => rx.stored.size === 3, 20_000, 'three results');
    expect(rx.batches.flatMap((b) => b.results.map((x) => x.seq))).toEqual([0, 1, 2]);
  });
});

describe('reporter retries', () => {
  it('retries after 503 until stored, exactly once each', async () => {
    const rx = await receiver();
    rx.behaviour = { kind: 'status', status: 503 };
    const { r, metrics } = reporter(rx.url);
    r.start();
    for (let i = 0; i < 20; i++) r.add(testOutput());
    await rx.waitFor(() => rx.requests >= 3, 20_000, 'three failed attempts');
    rx.behaviour = { kind: 'store' };
    await rx.waitFor(() => rx.stored.size === 20, 20_000, 'all results');
    expect(seqsOf(rx)).toEqual(range(20));
    expect(rx.duplicates).toBe(0);
    expect(
      await counterValue(metrics, 'flyprobe_probe_report_batches_total', { result: 'retry' }),
    ).toBeGreaterThanOrEqual(3);
    expect(r.dropped()).toEqual({});
  });

  it('retries after connection refused and delivers once the collector listens', async () => {
    const port = await freePort();
    const { r, metrics } = reporter(`http://127.0.0.1:${port}`);
    r.start();
    for (let i = 0; i < 10; i++) r.add(testOutput());
    const failures = () => counterValue(metrics, 'flyprobe_probe_report_batches_total', { result: 'retry' });
    for (let i = 0; i < 500 && (await failures()) < 2; i++) await new Promise((res) => setTimeout(res, 20));
    expect(await failures()).toBeGreaterThanOrEqual(2);
    const rx = await receiver(port);
    await rx.waitFor(() => rx.stored.size === 10, 20_000, 'all results after recovery');
    expect(seqsOf(rx)).toEqual(range(10));
  });

  it('loses nothing and duplicates nothing across an outage of dropped connections', async () => {
    const rx = await receiver();
    const { r } = reporter(rx.url, { maxBatch: 7, intervalMs: 20 });
    r.start();
    const added: number[] = [];
    for (let i = 0; i < 30; i++) added.push(r.add(testOutput()).seq);
    await rx.waitFor(() => rx.stored.size === 30, 20_000, 'first 30');
    rx.behaviour = { kind: 'destroy' };
    for (let i = 0; i < 40; i++) added.push(r.add(testOutput()).seq);
    await rx.waitFor(() => rx.requests >= 35, 20_000, 'attempts during the outage');
    rx.behaviour = { kind: 'store' };
    for (let i = 0; i < 30; i++) added.push(r.add(testOutput()).seq);
    await rx.waitFor(() => rx.stored.size === 100, 20_000, 'all 100 results');
    expect(seqsOf(rx)).toEqual(added);
    expect(added).toEqual(range(100));
    expect(rx.duplicates).toBe(0);
    expect(r.dropped()).toEqual({});
  });

  it('keeps results on 401 and delivers them once the token is accepted', async () => {
    const rx = await receiver();
    rx.behaviour = { kind: 'status', status: 401 };
    const { r } = reporter(rx.url);
    r.start();
    for (let i = 0; i < 5; i++) r.add(testOutput());
    await rx.waitFor(() => rx.requests >= 2, 20_000, 'refused attempts');
    expect(r.depth).toBe(5);
    rx.behaviour = { kind: 'store' };
    await rx.waitFor(() => rx.stored.size === 5, 20_000, 'results after the token is fixed');
    expect(r.dropped()).toEqual({});
  });
});

describe('reporter recovery', () => {
  it('halves the batch on 413 and grows it back to the configured size once batches are stored', async () => {
    const rx = await receiver();
    rx.behaviour = { kind: 'too-large-above', maxResults: 5 };
    const { r } = reporter(rx.url, { maxBatch: 20, intervalMs: 50 });
    r.start();
    for (let i = 0; i < 20; i++) r.add(testOutput());
    await rx.waitFor(() => rx.stored.size === 20, 20_000, 'the first 20 results in small batches');
    expect(rx.tooLarge).toBeGreaterThan(0);
    expect(Math.max(...rx.batches.map((b) => b.results.length))).toBeLessThanOrEqual(5);
    // The proxy limit is gone: batch sizes climb back to 20 and stay there.
    rx.behaviour = { kind: 'store' };
    const before = rx.batches.length;
    for (let i = 0; i < 200; i++) r.add(testOutput());
    await rx.waitFor(() => rx.stored.size === 220, 20_000, 'the next 200 results');
    const sizes = rx.batches.slice(before).map((b) => b.results.length);
    expect(sizes.every((n) => n <= 20)).toBe(true);
    expect(sizes.filter((n) => n === 20).length).toBeGreaterThanOrEqual(5);
    expect(r.dropped()).toEqual({});
  });

  it('logs a refused token at the first refusal, then at most once a minute', async () => {
    const rx = await receiver();
    rx.behaviour = { kind: 'status', status: 401 };
    const logs: string[] = [];
    const { r } = reporter(rx.url, { log: (_level, m) => logs.push(m) });
    r.start();
    r.add(testOutput());
    await until(() => logs.length > 0, 20_000, 'an auth log line');
    expect(logs[0]).toMatch(/refused the probe token \(HTTP 401\)/);
    await rx.waitFor(() => rx.requests >= 3, 20_000, 'more refused attempts');
    expect(logs.filter((l) => l.includes('refused the probe token'))).toHaveLength(1);
  });
});

describe('reporter circuit breaker', () => {
  it('stops sending after consecutive failures until the cooldown passes', async () => {
    const rx = await receiver();
    rx.behaviour = { kind: 'status', status: 503 };
    const { r } = reporter(rx.url, { settings: { breakerThreshold: 2, breakerCooldownMs: 60_000 } });
    r.add(testOutput());
    r.start();
    await until(() => r.breakerOpen, 20_000, 'breaker open');
    expect(rx.requests).toBe(2);
    // With 20-200 ms backoffs a closed breaker would have retried several times by now.
    await new Promise((res) => setTimeout(res, 500));
    expect(rx.requests).toBe(2);
    expect(r.depth).toBe(1);
  });
});

describe('reporter rejections', () => {
  it('drops results the collector rejects one by one, counts them, and never resends them', async () => {
    const rx = await receiver();
    rx.behaviour = { kind: 'reject-seqs', seqs: [1, 3] };
    const { r, metrics } = reporter(rx.url, { intervalMs: 20 });
    for (let i = 0; i < 6; i++) r.add(testOutput());
    r.start();
    await rx.waitFor(() => rx.stored.size === 4, 20_000, 'accepted results');
    await until(() => r.depth === 0, 20_000, 'buffer drained');
    expect(seqsOf(rx)).toEqual([0, 2, 4, 5]);
    expect(r.dropped()).toEqual({ rejected: 2 });
    expect(await counterValue(metrics, 'flyprobe_probe_dropped_total', { reason: 'rejected' })).toBe(2);
    expect(rx.batches.flatMap((b) => b.results.map((x) => x.seq)).filter((s) => s === 1)).toHaveLength(1);
  });

  it('counts a whole-batch 400 as rejected instead of retrying it forever', async () => {
    const rx = await receiver();
    rx.behaviour = { kind: 'status', status: 400, body: { error: 'schemaVersion: must be 1' } };
    const { r } = reporter(rx.url);
    for (let i = 0; i < 4; i++) r.add(testOutput());
    r.start();
    await until(() => r.depth === 0, 20_000, 'batch settled');
    expect(rx.requests).toBe(1);
    expect(r.dropped()).toEqual({ rejected: 4 });
  });
});

describe('reporter buffer bounds', () => {
  it('drops the oldest results past the entry bound and reports the count in the heartbeat path', async () => {
    const rx = await receiver();
    const { r } = reporter(rx.url, { settings: { maxBufferResults: 10 } });
    for (let i = 0; i < 25; i++) r.add(testOutput());
    expect(r.depth).toBe(10);
    expect(r.dropped()).toEqual({ buffer_full: 15 });
    r.start();
    await rx.waitFor(() => rx.stored.size === 10, 20_000, 'the newest 10');
    expect(seqsOf(rx)).toEqual(range(10, 15));
  });

  it('drops the oldest results past the byte bound', async () => {
    const rx = await receiver();
    const { r } = reporter(rx.url, { settings: { maxBufferBytes: 2048 } });
    for (let i = 0; i < 40; i++) r.add(testOutput());
    expect(r.bytes).toBeLessThanOrEqual(2048);
    const dropped = r.dropped().buffer_bytes ?? 0;
    expect(dropped).toBeGreaterThan(0);
    expect(r.depth + dropped).toBe(40);
    r.start();
    await rx.waitFor(() => rx.stored.size === r.nextSeq - dropped, 20_000, 'the kept results');
    expect(seqsOf(rx)).toEqual(range(40 - dropped, dropped));
  });
});
