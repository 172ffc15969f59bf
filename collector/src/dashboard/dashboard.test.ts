import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { RouteTimelineResponse } from '@flyprobe/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredResult } from '../store/store.ts';
import {
  batch,
  call,
  probeIdentity,
  READ_SECRET,
  result,
  startTestCollector,
  type TestCollector,
} from '../testing/index.ts';
import { routeTimeline } from './route-timeline.ts';
import { DASHBOARD_CSP } from './security-headers.ts';

const stored = (i: number, extra: Partial<StoredResult>): StoredResult => ({
  ...result(i),
  id: i,
  probeId: 'p',
  bootId: 'b',
  probeRegion: 'syd',
  receivedAt: 0,
  ...extra,
});

/** A GET that asks for gzip and keeps the raw (still compressed) body, which fetch would decode. */
function gzipGet(url: string, token?: string): Promise<{ encoding: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'accept-encoding': 'gzip' };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () =>
        resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('routeTimeline', () => {
  it('buckets edge and served regions per probe region and counts route changes in time order', () => {
    const from = 1_000_000;
    const rows = routeTimeline(
      [
        stored(3, { startedAt: from + 61_000, edgeRegion: 'syd', servedRegion: 'iad' }),
        stored(1, { startedAt: from + 1_000, edgeRegion: 'syd', servedRegion: 'syd' }),
        stored(2, { startedAt: from + 2_000, edgeRegion: 'syd', servedRegion: 'syd' }),
        stored(4, {
          startedAt: from + 62_000,
          outcome: 'timeout',
          latencyMs: undefined,
          edgeRegion: undefined,
          servedRegion: undefined,
        }),
        stored(5, { startedAt: from + 125_000, edgeRegion: 'syd', servedRegion: 'syd' }),
        stored(6, { probeRegion: 'fra', startedAt: from + 5_000, edgeRegion: 'fra', servedRegion: 'fra' }),
      ],
      from,
      60_000,
    );
    expect(rows.map((r) => r.probeRegion)).toEqual(['fra', 'syd']);
    const syd = rows[1];
    expect(syd?.changes).toBe(2);
    expect(syd?.buckets).toEqual([
      { t: from, samples: 2, failed: 0, edges: { syd: 2 }, served: { syd: 2 } },
      { t: from + 60_000, samples: 2, failed: 1, edges: { syd: 1 }, served: { iad: 1 } },
      { t: from + 120_000, samples: 1, failed: 0, edges: { syd: 1 }, served: { syd: 1 } },
    ]);
    expect(rows[0]?.changes).toBe(0);
  });
});

describe('dashboard routes in a running collector', () => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector();
    const token = await c.probeToken('syd-1', 'syd');
    const now = Date.now();
    const results = [0, 1, 2, 3].map((i) =>
      result(i + 1, {
        startedAt: now - (4 - i) * 10_000,
        edgeRegion: 'syd',
        servedRegion: i === 2 ? 'iad' : 'syd',
      }),
    );
    const r = await call(`${c.url}/v1/ingest`, {
      token,
      body: batch(probeIdentity('syd-1', 'syd'), results),
    });
    expect(r.status).toBe(200);
  });
  afterAll(async () => c?.close());

  it('serves the page with a strict CSP, ETag revalidation and gzip', async () => {
    const first = await fetch(`${c.url}/dashboard/`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(first.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await first.text()).toContain('<script type="module" src="main.js">');
    const etag = first.headers.get('etag') as string;
    const again = await fetch(`${c.url}/dashboard/`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const gz = await gzipGet(`${c.url}/dashboard/main.js`);
    expect(gz.encoding).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toContain("from './api.js'");
  });

  it('redirects / and /dashboard to /dashboard/ and answers 404 naming an unknown file', async () => {
    for (const path of ['/', '/dashboard']) {
      const r = await fetch(`${c.url}${path}`, { redirect: 'manual' });
      expect(r.headers.get('location')).toBe('/dashboard/');
    }
    const missing = await call(`${c.url}/dashboard/..%2Fserver.ts`);
    expect(missing.status).toBe(404);
  });

  it('answers /v1/routes/timeline with buckets per probe region, behind the read token', async () => {
    expect((await call(`${c.url}/v1/routes/timeline?target=web`)).status).toBe(401);
    const r = await call(`${c.url}/v1/routes/timeline?target=web&window=5m&step=1m`, { token: READ_SECRET });
    expect(r.status).toBe(200);
    const body = r.body as RouteTimelineResponse;
    expect(body.stepMs).toBe(60_000);
    expect(body.truncated).toBe(false);
    expect(body.rows.map((x) => [x.probeRegion, x.changes])).toEqual([['syd', 2]]);
    const served: Record<string, number> = {};
    for (const b of body.rows[0]?.buckets ?? [])
      for (const [k, n] of Object.entries(b.served)) served[k] = (served[k] ?? 0) + n;
    expect(served).toEqual({ syd: 3, iad: 1 });
  });

  it('refuses bad timeline parameters with 400 naming each field', async () => {
    const r = await call(`${c.url}/v1/routes/timeline?path=pinned&window=1h&step=1s`, { token: READ_SECRET });
    expect(r.status).toBe(400);
    const fields = (r.body as { error: { fields: Array<{ field: string; message: string }> } }).error.fields;
    expect(fields.map((f) => f.field).sort()).toEqual(['path', 'step', 'target']);
    expect(fields.find((f) => f.field === 'path')?.message).toContain('anycast');
    const many = await call(`${c.url}/v1/routes/timeline?target=web&window=7d&step=10s`, {
      token: READ_SECRET,
    });
    expect(many.status).toBe(400);
    expect(many.text).toContain('more than 360 buckets');
  });

  it('answers an unchanged GET with 304 when the client sends its ETag', async () => {
    const first = await call(`${c.url}/v1/regions`, { token: READ_SECRET });
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await call(`${c.url}/v1/regions`, {
      token: READ_SECRET,
      headers: { 'if-none-match': etag as string },
    });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
  });

  it('gzips read answers when asked', async () => {
    const gz = await gzipGet(`${c.url}/v1/regions`, READ_SECRET);
    expect(gz.encoding).toBe('gzip');
    expect(JSON.parse(gunzipSync(gz.body).toString()).regions.length).toBeGreaterThan(30);
  });
});
