import type { MatrixResponse, ProbeConfig, RoutesResponse } from '@flyprobe/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ADMIN_SECRET,
  batch,
  call,
  probeIdentity,
  result,
  startTestCollector,
  type TestCollector,
} from '../../testing/index.ts';

/**
 * The flycast path through the real collector (HTTP API, SQLite, rollups): targets opt in, the matrix
 * puts results in the served region's column as for anycast, and routes keep flycast apart from anycast.
 */

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let tc: TestCollector;
const t0 = Date.now() - 10 * 60_000;

const get = <T>(path: string) => tc.get<T>(path);

beforeAll(async () => {
  tc = await startTestCollector(
    {},
    { targets: [{ name: 'web', app: 'web-app', host: 'web.fly.dev', paths: ['anycast', 'flycast'] }] },
  );
  const token = await tc.probeToken('p-ams-1', 'ams');
  // From ams: anycast enters at the ams edge and is served in fra; flycast is served in ams, then lhr.
  const results = [
    ...[0, 1, 2].map((i) =>
      result(i, { startedAt: t0 + i * 1000, latencyMs: 12, edgeRegion: 'ams', servedRegion: 'fra' }),
    ),
    ...[3, 4, 5].map((i) =>
      result(i, {
        path: 'flycast',
        startedAt: t0 + i * 1000,
        latencyMs: 2,
        edgeRegion: 'ams',
        servedRegion: 'ams',
      }),
    ),
    result(6, {
      path: 'flycast',
      startedAt: t0 + 6000,
      latencyMs: 9,
      edgeRegion: 'ams',
      servedRegion: 'lhr',
    }),
    result(7, {
      path: 'flycast',
      startedAt: t0 + 7000,
      outcome: 'timeout',
      latencyMs: undefined,
      edgeRegion: undefined,
      servedRegion: undefined,
      failedPhase: 'connect',
    }),
  ];
  const r = await call(`${tc.url}/v1/ingest`, {
    token,
    body: batch(probeIdentity('p-ams-1', 'ams'), results),
  });
  expect(r.body).toEqual({ accepted: 8, duplicate: 0, rejected: [] });
});
afterAll(async () => tc?.close());

describe('flycast path in the collector', () => {
  it('targets opt in to flycast; without app or flycastHost the target is refused naming the field', async () => {
    const bad = await call(`${tc.url}/v1/targets`, {
      method: 'PUT',
      token: ADMIN_SECRET,
      body: [{ name: 'db', paths: ['flycast'] }],
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('[0].flycastHost');
    const config = await call(`${tc.url}/v1/config`, { token: ADMIN_SECRET });
    const [web] = (config.body as ProbeConfig).targets;
    expect(web?.paths).toEqual(['anycast', 'flycast']);
  });

  it('the flycast matrix has one column per served region, failures in the "" column', async () => {
    const { status, json } = await get<MatrixResponse>(
      '/v1/matrix?target=web&path=flycast&protocol=http&metric=p50&window=1h',
    );
    expect(status).toBe(200);
    expect(json).toMatchObject({ path: 'flycast', rows: ['ams'], columns: ['', 'ams', 'lhr'] });
    const cell = (to: string) => json.cells.find((c) => c.from === 'ams' && c.to === to);
    expect(cell('ams')).toMatchObject({ samples: 3 });
    expect(cell('ams')?.value).toBeCloseTo(2, 1);
    expect(cell('lhr')).toMatchObject({ samples: 1 });
    expect(cell('')).toMatchObject({ samples: 1, value: null });
    // The anycast matrix is untouched by flycast samples.
    const anycast = await get<MatrixResponse>('/v1/matrix?target=web&path=anycast&window=1h');
    expect(anycast.json.columns).toEqual(['fra']);
    expect(anycast.json.cells.map((c) => c.samples)).toEqual([3]);
  });

  it('routes report anycast and flycast separately, and filter by path', async () => {
    const both = await get<RoutesResponse>('/v1/routes?target=web&window=1h');
    expect(both.json.routes.map((r) => [r.path, r.current.edge, r.current.served, r.lastChange])).toEqual([
      ['anycast', 'ams', 'fra', null],
      ['flycast', 'ams', 'lhr', t0 + 6000],
    ]);
    expect(both.json.routes[1]?.served).toEqual({ ams: 0.75, lhr: 0.25 });
    const only = await get<RoutesResponse>('/v1/routes?path=flycast&window=1h');
    expect(only.json.routes.map((r) => r.path)).toEqual(['flycast']);
    const bad = await get<{ error: { fields: { field: string; message: string }[] } }>(
      '/v1/routes?path=pinned',
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toEqual([{ field: 'path', message: 'must be one of anycast, flycast' }]);
  });
});
