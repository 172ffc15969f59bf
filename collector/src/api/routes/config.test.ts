import { type ProbeConfig, parseWith, probeConfig } from '@flyprobe/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ADMIN_SECRET,
  batch,
  call,
  probeIdentity,
  READ_SECRET,
  startTestCollector,
  type TestCollector,
} from '../../testing/index.ts';

// Real servers and SQLite files on a busy shared machine: generous bounds, never wall-clock assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let tc: TestCollector;
let clock = Date.now();
let tokenA: string;
let tokenB: string;

beforeAll(async () => {
  tc = await startTestCollector({ FLYPROBE_MESH_PEER_MAX_AGE_S: '60' }, { now: () => clock });
  tokenA = await tc.probeToken('p-ams-1', 'ams');
  tokenB = await tc.probeToken('p-syd-1', 'syd');
});
afterAll(async () => tc?.close());

const config = (token: string, etag?: string) =>
  call(`${tc.url}/v1/config`, { token, ...(etag ? { headers: { 'if-none-match': etag } } : {}) });

describe('PUT /v1/targets', () => {
  it('refuses invalid targets naming each field and stores nothing', async () => {
    const r = await call(`${tc.url}/v1/targets`, {
      method: 'PUT',
      token: ADMIN_SECRET,
      body: [
        { name: 'web' },
        { name: 'web' },
        { name: 'api', regions: ['FRA'], intervalMs: 5 },
        { name: 'x', colour: 'red' },
      ],
    });
    expect(r.status).toBe(400);
    const fields = (r.body as { error: { fields: { field: string; message: string }[] } }).error.fields;
    expect(fields.map((f) => f.field).sort()).toEqual([
      '[1].name',
      '[2].intervalMs',
      '[2].regions[0]',
      '[3]',
    ]);
    expect(fields.find((f) => f.field === '[1].name')?.message).toBe(
      'duplicate target name "web" (also at [0])',
    );
    expect(fields.find((f) => f.field === '[3]')?.message).toBe('unknown field(s): colour');
    expect(
      (await call(`${tc.url}/v1/targets`, { token: READ_SECRET }).then((x) => x.body)) as object,
    ).toMatchObject({ targets: [] });
  });

  it('refuses a body that is not an array', async () => {
    const r = await call(`${tc.url}/v1/targets`, {
      method: 'PUT',
      token: ADMIN_SECRET,
      body: { name: 'web' },
    });
    expect(r.status).toBe(400);
    expect(r.text).toContain('must be a JSON array of targets');
  });

  it('stores targets with defaults and a new revision', async () => {
    const r = await call(`${tc.url}/v1/targets`, {
      method: 'PUT',
      token: ADMIN_SECRET,
      body: [{ name: 'web', host: 'web.fly.dev', regions: ['ams', 'syd'] }],
    });
    expect(r.status).toBe(200);
    const body = r.body as { revision: string; targets: { name: string; intervalMs: number }[] };
    expect(body.targets[0]).toMatchObject({ name: 'web', intervalMs: 15_000 });
    const got = await call(`${tc.url}/v1/targets`, { token: READ_SECRET });
    expect(got.body).toEqual(body);
  });
});

describe('GET /v1/config', () => {
  it('answers with an ETag and 304 while nothing changed', async () => {
    const first = await config(tokenA);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    // What probes validate the document with (strict: no unknown fields).
    expect(parseWith(probeConfig, first.body)).toMatchObject({ ok: true });
    const cfg = first.body as ProbeConfig;
    expect(cfg.targets.map((t) => t.name)).toEqual(['web']);
    expect(cfg.report.maxBatch).toBe(500);
    const again = await config(tokenA, etag ?? undefined);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
  });

  it('changes the ETag when targets change', async () => {
    const before = (await config(tokenA)).headers.get('etag') ?? '';
    await call(`${tc.url}/v1/targets`, {
      method: 'PUT',
      token: ADMIN_SECRET,
      body: [{ name: 'web', host: 'web.fly.dev', intervalMs: 5000 }],
    });
    const after = await config(tokenA, before);
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(before);
    expect((after.body as ProbeConfig).targets[0]?.intervalMs).toBe(5000);
  });

  it('offers other live probes with an echo address as mesh peers, never the probe itself', async () => {
    await call(`${tc.url}/v1/ingest`, {
      token: tokenA,
      body: batch(probeIdentity('p-ams-1', 'ams', { echoAddress: '[fdaa::1]:8080' }), []),
    });
    await call(`${tc.url}/v1/ingest`, {
      token: tokenB,
      body: batch(probeIdentity('p-syd-1', 'syd', { echoAddress: '[fdaa::2]:8080' }), []),
    });
    const withPeers = await config(tokenA);
    expect(parseWith(probeConfig, withPeers.body)).toMatchObject({ ok: true });
    const a = withPeers.body as ProbeConfig;
    expect(a.mesh.enabled).toBe(true);
    expect(a.mesh.peers).toEqual([{ probeId: 'p-syd-1', region: 'syd', address: '[fdaa::2]:8080' }]);
    const b = (await config(tokenB)).body as ProbeConfig;
    expect(b.mesh.peers.map((p) => p.probeId)).toEqual(['p-ams-1']);
    const etag = (await config(tokenA)).headers.get('etag') ?? '';
    clock += 120_000; // both probes now older than the 60 s peer age
    const stale = await config(tokenA, etag);
    expect(stale.status).toBe(200);
    expect((stale.body as ProbeConfig).mesh).toMatchObject({ enabled: false, peers: [] });
  });
});
