import {
  type MatrixResponse,
  type ProbesResponse,
  type RegionsResponse,
  type ResultsResponse,
  type RoutesResponse,
  regionRttFloorMs,
  type SeriesResponse,
} from '@flyprobe/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SKETCH_RELATIVE_ACCURACY } from '../../store/index.ts';
import {
  batch,
  call,
  probeIdentity,
  result,
  startTestCollector,
  type TestCollector,
} from '../../testing/index.ts';

// Real servers and SQLite files on a busy shared machine: generous bounds, never wall-clock assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let tc: TestCollector;
const t0 = Date.now() - 10 * 60_000;
// Anycast from iad, served in iad: 11 latencies 10..110 (median 60) plus a timeout and a reset.
const latencies = Array.from({ length: 11 }, (_, i) => 10 * (i + 1));

const get = <T>(path: string, headers?: Record<string, string>) => tc.get<T>(path, headers);

beforeAll(async () => {
  tc = await startTestCollector(
    {},
    { targets: [{ name: 'web', host: 'web.fly.dev', regions: ['iad', 'fra'] }] },
  );
  const token = await tc.probeToken('p-iad-1', 'iad');
  const results = [
    ...latencies.map((ms, i) =>
      result(i, { startedAt: t0 + i * 1000, latencyMs: ms, edgeRegion: 'iad', servedRegion: 'iad' }),
    ),
    result(11, {
      startedAt: t0 + 11_000,
      outcome: 'timeout',
      latencyMs: undefined,
      servedRegion: undefined,
      edgeRegion: 'iad',
      failedPhase: 'ttfb',
    }),
    result(12, {
      startedAt: t0 + 12_000,
      outcome: 'reset',
      latencyMs: undefined,
      servedRegion: undefined,
      edgeRegion: 'iad',
      failedPhase: 'connect',
    }),
    // Pinned to fra: 3 samples at 90 ms.
    ...[13, 14, 15].map((seq) =>
      result(seq, {
        path: 'pinned',
        targetRegion: 'fra',
        startedAt: t0 + seq * 1000,
        latencyMs: 90,
        edgeRegion: 'iad',
        servedRegion: 'fra',
      }),
    ),
    // Later the served region moves to fra (a route change).
    result(16, { startedAt: t0 + 120_000, latencyMs: 95, edgeRegion: 'iad', servedRegion: 'fra' }),
  ];
  const r = await call(`${tc.url}/v1/ingest`, {
    token,
    body: batch(probeIdentity('p-iad-1', 'iad', { echoAddress: '[fdaa::1]:8080' }), results),
  });
  expect(r.body).toEqual({ accepted: 17, duplicate: 0, rejected: [] });
});
afterAll(async () => tc?.close());

describe('GET /v1/matrix', () => {
  it('answers p50 per cell from stored data within the sketch accuracy', async () => {
    const { status, json } = await get<MatrixResponse>(
      '/v1/matrix?target=web&path=anycast&protocol=http&metric=p50&window=1h',
    );
    expect(status).toBe(200);
    expect(json).toMatchObject({
      target: 'web',
      path: 'anycast',
      protocol: 'http',
      metric: 'p50',
      rows: ['iad'],
      columns: ['', 'fra', 'iad'],
    });
    expect(json.to - json.from).toBe(3_600_000);
    const iad = json.cells.find((c) => c.from === 'iad' && c.to === 'iad');
    expect(iad?.samples).toBe(11);
    expect(Math.abs((iad?.value ?? 0) - 60)).toBeLessThanOrEqual(60 * SKETCH_RELATIVE_ACCURACY + 1e-9);
    expect(iad?.floorMs).toBe(0);
    expect(iad?.inflation).toBeNull();
  });

  it('answers loss and reset rate; failures without a served region form the "" column', async () => {
    const loss = await get<MatrixResponse>('/v1/matrix?target=web&metric=loss&window=1h');
    expect(loss.json.cells.reduce((n, c) => n + c.samples, 0)).toBe(14);
    expect(loss.json.cells.find((c) => c.to === '')).toMatchObject({ from: 'iad', samples: 2, value: 1 });
    expect(loss.json.cells.find((c) => c.to === 'iad')).toMatchObject({ samples: 11, value: 0 });
    const resets = await get<MatrixResponse>('/v1/matrix?target=web&metric=reset_rate&window=1h');
    expect(resets.json.cells.find((c) => c.to === '')).toMatchObject({ samples: 2, value: 0.5 });
  });

  it('reports the fibre floor and inflation for pinned cells', async () => {
    const { json } = await get<MatrixResponse>('/v1/matrix?target=web&path=pinned&metric=p95&window=1h');
    expect(json.cells).toHaveLength(1);
    const cell = json.cells[0];
    const floor = regionRttFloorMs('iad', 'fra') ?? 0;
    expect(cell).toMatchObject({ from: 'iad', to: 'fra', samples: 3 });
    expect(cell?.floorMs).toBeCloseTo(floor, 6);
    expect(Math.abs((cell?.value ?? 0) - 90)).toBeLessThanOrEqual(90 * SKETCH_RELATIVE_ACCURACY + 1e-9);
    expect(cell?.inflation).toBeCloseTo((cell?.value ?? 0) / floor, 6);
  });

  it('answers CSV for Accept: text/csv and for /v1/matrix.csv, one row per cell', async () => {
    const json = (await get<MatrixResponse>('/v1/matrix?target=web&path=pinned&window=1h')).json;
    for (const r of [
      await get<string>('/v1/matrix?target=web&path=pinned&window=1h', { accept: 'text/csv' }),
      await get<string>('/v1/matrix.csv?target=web&path=pinned&window=1h'),
    ]) {
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = r.text.trimEnd().split('\n');
      expect(lines[0]).toBe('from,to,value,samples,floor_ms,inflation');
      expect(lines).toHaveLength(1 + json.cells.length);
      const [from, to, value, samples, floor, inflation] = lines[1]?.split(',') ?? [];
      const cell = json.cells[0];
      expect([from, to, Number(value), Number(samples), Number(floor), Number(inflation)]).toEqual([
        cell?.from,
        cell?.to,
        cell?.value,
        cell?.samples,
        cell?.floorMs,
        cell?.inflation,
      ]);
    }
  });

  it('names each bad parameter', async () => {
    const r = await get<{ error: { fields: { field: string }[] } }>(
      '/v1/matrix?metric=p42&window=2x&path=moon&colour=red',
    );
    expect(r.status).toBe(400);
    expect(r.json.error.fields.map((f) => f.field).sort()).toEqual([
      'colour',
      'metric',
      'path',
      'target',
      'window',
    ]);
  });
});

describe('GET /v1/series', () => {
  it('answers one cell over time with the stored samples', async () => {
    const { status, json } = await get<SeriesResponse>(
      '/v1/series?target=web&from=iad&to=iad&window=1h&step=1m',
    );
    expect(status).toBe(200);
    expect(json.stepMs).toBe(60_000);
    expect(json.points.reduce((n, p) => n + p.samples, 0)).toBe(11);
    expect(json.points.every((p) => p.t % 60_000 === 0)).toBe(true);
  });

  it('refuses a step that is too fine for the window, naming step', async () => {
    const r = await get<{ error: { fields: { field: string; message: string }[] } }>(
      '/v1/series?target=web&from=iad&to=iad&window=30d&step=1m',
    );
    expect(r.status).toBe(400);
    expect(r.json.error.fields[0]?.field).toBe('step');
  });
});

describe('GET /v1/routes, /v1/probes, /v1/regions, /v1/results', () => {
  it('summarises where anycast traffic went and the last change', async () => {
    const { json } = await get<RoutesResponse>('/v1/routes?target=web&window=1h');
    expect(json.routes).toHaveLength(1);
    const route = json.routes[0];
    expect(route).toMatchObject({ probeRegion: 'iad', target: 'web', protocol: 'http' });
    expect(route?.current).toMatchObject({ edge: 'iad', served: 'fra', since: t0 + 120_000 });
    expect(route?.lastChange).toBe(t0 + 120_000);
    expect(Object.keys(route?.served ?? {}).sort()).toEqual(['fra', 'iad']);
  });

  it('lists the probe with its identity and last heartbeat', async () => {
    const { json } = await get<ProbesResponse>('/v1/probes');
    expect(json.probes).toHaveLength(1);
    expect(json.probes[0]).toMatchObject({
      probeId: 'p-iad-1',
      region: 'iad',
      machineId: 'm-p-iad-1',
      echoAddress: '[fdaa::1]:8080',
      online: true,
    });
  });

  it('marks where probes and targets are in the region catalog', async () => {
    const { json } = await get<RegionsResponse>('/v1/regions');
    const iad = json.regions.find((r) => r.code === 'iad');
    const fra = json.regions.find((r) => r.code === 'fra');
    expect(iad).toMatchObject({ status: 'current', probes: ['p-iad-1'], targets: ['web'] });
    expect(fra).toMatchObject({ probes: [], targets: ['web'] });
    expect(json.regions.length).toBeGreaterThan(30);
  });

  it('lists raw results newest first with a bounded limit', async () => {
    const { json } = await get<ResultsResponse>('/v1/results?target=web&path=pinned&limit=2');
    expect(json.results.map((r) => r.seq)).toEqual([15, 14]);
    expect(json.results[0]).toMatchObject({ probeId: 'p-iad-1', probeRegion: 'iad', targetRegion: 'fra' });
    const tooMany = await get<{ error: { fields: { field: string }[] } }>('/v1/results?limit=100000');
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.fields[0]?.field).toBe('limit');
  });
});
