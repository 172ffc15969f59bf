import { gzipSync } from 'node:zlib';
import { type IngestResponse, ingestResponse } from '@flyprobe/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CollectorPlugin } from '../../process/plugins.ts';
import type { StoredResult } from '../../store/store.ts';
import {
  ADMIN_SECRET,
  batch,
  call,
  heartbeat,
  probeIdentity,
  probeToken,
  result,
  startTestCollector,
  type TestCollector,
} from '../../testing/index.ts';

// Real servers and SQLite files on a busy shared machine: generous bounds, never wall-clock assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let tc: TestCollector;
let token: string;
const heard: StoredResult[][] = [];
const listener: CollectorPlugin = { name: 'recorder', onIngest: (results) => void heard.push(results) };

beforeAll(async () => {
  tc = await startTestCollector({}, { plugins: [() => listener] });
  token = await probeToken(tc.url, 'p-iad-1', 'iad');
});
afterAll(async () => tc?.close());

const probe = probeIdentity('p-iad-1', 'iad');
const ingest = (body: unknown, headers?: Record<string, string>) =>
  call(`${tc.url}/v1/ingest`, { token, body, ...(headers ? { headers } : {}) });
const stored = (filter: { target?: string } = {}) =>
  tc.running.store.listResults({ probeId: 'p-iad-1', limit: 1000, ...filter });

describe('POST /v1/ingest', () => {
  it('stores a batch once: a retry counts as duplicate and stores nothing twice', async () => {
    const results = Array.from({ length: 50 }, (_, i) => result(i, { target: 'idem' }));
    const first = await ingest(batch(probe, results));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ accepted: 50, duplicate: 0, rejected: [] });
    const retry = await ingest(batch(probe, results));
    expect(retry.body).toEqual({ accepted: 0, duplicate: 50, rejected: [] });
    expect(await stored({ target: 'idem' })).toHaveLength(50);
  });

  it('stores two concurrent identical batches once', async () => {
    const results = Array.from({ length: 200 }, (_, i) => result(1000 + i, { target: 'race' }));
    const [a, b] = await Promise.all([ingest(batch(probe, results)), ingest(batch(probe, results))]);
    const ra = a.body as IngestResponse;
    const rb = b.body as IngestResponse;
    expect(ra.accepted + rb.accepted).toBe(200);
    expect(ra.duplicate + rb.duplicate).toBe(200);
    expect(await stored({ target: 'race' })).toHaveLength(200);
  });

  it('rejects invalid results by index and reason and stores the rest', async () => {
    const future = Date.now() + 10 * 60_000;
    const results: unknown[] = [
      result(2000, { target: 'partial' }),
      { ...result(2001, { target: 'partial' }), phases: { ttfb: -1 } },
      result(2002, { target: 'partial' }),
      result(2003, { target: 'partial', startedAt: future }),
      'not a result',
      { ...result(2005, { target: 'partial' }), servedRegoin: 'fra' },
    ];
    const r = await ingest(batch(probe, results));
    expect(r.status).toBe(200);
    const body = r.body as IngestResponse;
    expect(ingestResponse.safeParse(body).success).toBe(true);
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((x) => x.index)).toEqual([1, 3, 4, 5]);
    expect(body.rejected[0]?.reason).toBe('phases.ttfb: must not be negative');
    expect(body.rejected[1]?.reason).toBe('startedAt: must not be more than 5 minutes in the future');
    expect(body.rejected[3]?.reason).toBe('unknown field(s): servedRegoin');
    expect((await stored({ target: 'partial' })).map((x) => x.seq).sort()).toEqual([2000, 2002]);
  });

  it('keeps rejection reasons short for hostile results', async () => {
    const hostile = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`key${i}`, i]));
    const r = await ingest(batch(probe, [{ ...result(2500), ...hostile }]));
    const body = r.body as IngestResponse;
    expect(body.rejected[0]?.reason.startsWith('unknown field(s): key0, key1')).toBe(true);
    expect(body.rejected[0]?.reason.length).toBeLessThanOrEqual(300);
  });

  it('records the heartbeat and shows the probe', async () => {
    const hb = heartbeat({ degraded: true, degradedReason: 'event loop lag' });
    const r = await ingest(batch({ ...probe, echoAddress: '[fdaa::1]:8080' }, [], { heartbeat: hb }));
    expect(r.body).toEqual({ accepted: 0, duplicate: 0, rejected: [] });
    const probes = await call(`${tc.url}/v1/probes`, { token: ADMIN_SECRET });
    const p = (
      probes.body as {
        probes: { probeId: string; degraded: boolean; degradedReason: string; online: boolean }[];
      }
    ).probes.find((x) => x.probeId === 'p-iad-1');
    expect(p).toMatchObject({ degraded: true, degradedReason: 'event loop lag', online: true });
  });

  it('refuses a heartbeat from the future naming heartbeat.at', async () => {
    const r = await ingest(
      batch(probe, [result(2100)], { heartbeat: heartbeat({ at: Date.now() + 3_600_000 }) }),
    );
    expect(r.status).toBe(400);
    expect(r.text).toContain('heartbeat.at');
  });

  it('answers malformed JSON, a wrong envelope and a wrong content type with 4xx naming the problem', async () => {
    const bad = await call(`${tc.url}/v1/ingest`, {
      token,
      rawBody: '{"schemaVersion":1,',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { code: string } }).error.code).toBe('invalid_json');
    const env = await ingest({ schemaVersion: 2, probe, results: [] });
    expect(env.status).toBe(400);
    expect((env.body as { error: { fields: { field: string }[] } }).error.fields[0]?.field).toBe(
      'schemaVersion',
    );
    const type = await call(`${tc.url}/v1/ingest`, {
      token,
      rawBody: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(type.status).toBe(415);
  });

  it('accepts a gzip-encoded batch', async () => {
    const body = gzipSync(JSON.stringify(batch(probe, [result(3000, { target: 'gz' })])));
    const r = await call(`${tc.url}/v1/ingest`, {
      token,
      rawBody: new Uint8Array(body),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(r.body).toEqual({ accepted: 1, duplicate: 0, rejected: [] });
  });

  it('hands only newly stored results to ingest listeners', async () => {
    heard.length = 0;
    const results = [result(4000, { target: 'listen' }), result(4001, { target: 'listen' })];
    await ingest(batch(probe, results));
    await ingest(batch(probe, results));
    await expect.poll(() => heard.length, { timeout: 5000 }).toBe(1);
    expect(heard[0]?.map((r) => [r.seq, r.probeId, r.probeRegion])).toEqual([
      [4000, 'p-iad-1', 'iad'],
      [4001, 'p-iad-1', 'iad'],
    ]);
    expect(heard[0]?.every((r) => typeof r.id === 'number')).toBe(true);
    // A heartbeat-only batch reaches listeners with no results (probe health detectors need it).
    await ingest(batch(probe, [], { heartbeat: heartbeat() }));
    await expect.poll(() => heard.length, { timeout: 5000 }).toBe(2);
    expect(heard[1]).toEqual([]);
  });

  it('counts outcomes in /metrics', async () => {
    const m = await call(`${tc.url}/metrics`);
    expect(m.text).toMatch(/flyprobe_collector_ingest_results_total\{outcome="duplicate"\} (\d+)/);
    const dup = Number(
      /flyprobe_collector_ingest_results_total\{outcome="duplicate"\} (\d+)/.exec(m.text)?.[1],
    );
    expect(dup).toBeGreaterThanOrEqual(252);
    expect(m.text).toMatch(/flyprobe_collector_ingest_rejects_total\{reason="future_timestamp"\} 2/);
    // Stored once despite the retry: 50 samples of 20 ms in the served region's cell.
    expect(m.text).toContain(
      'flyprobe_latency_seconds_bucket{target="idem",path="anycast",protocol="http",probe_region="iad",target_region="fra",le="0.02"} 50\n',
    );
  });
});

describe('ingest limits', () => {
  let small: TestCollector;
  let smallToken: string;
  beforeAll(async () => {
    small = await startTestCollector({
      FLYPROBE_INGEST_MAX_BYTES: '4096',
      FLYPROBE_INGEST_RATE: '0.01',
      FLYPROBE_INGEST_BURST: '3',
    });
    smallToken = await probeToken(small.url, 'p-iad-1', 'iad');
  });
  afterAll(async () => small?.close());

  it('answers 413 naming the limit, with or without a Content-Length', async () => {
    const big = batch(
      probe,
      Array.from({ length: 40 }, (_, i) => result(i)),
    );
    const r = await call(`${small.url}/v1/ingest`, { token: smallToken, body: big });
    expect(r.status).toBe(413);
    expect(r.text).toContain('4096 bytes');
    const text = JSON.stringify(big);
    const chunked = await fetch(`${small.url}/v1/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${smallToken}`, 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < text.length; i += 1000)
            controller.enqueue(new TextEncoder().encode(text.slice(i, i + 1000)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await small.running.store.listResults({ probeId: 'p-iad-1', limit: 10 })).toHaveLength(0);
  });

  it('answers 429 with Retry-After once the token bucket is empty, per token', async () => {
    // The 413 test above spent 2 of the 3 tokens.
    const send = (t: string, seq: number) =>
      call(`${small.url}/v1/ingest`, { token: t, body: batch(probe, [result(seq)]) });
    expect((await send(smallToken, 1)).status).toBe(200);
    const limited = await send(smallToken, 2);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const other = await probeToken(small.url, 'p-iad-1', 'iad', 'second');
    expect((await send(other, 3)).status).toBe(200);
  });
});
