import { COLUMN_FIELD, columnRegion, type NetworkPath, PATHS, type ProbeResult } from '@flyprobe/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { columnRegionModule } from '../dashboard/column-region-module.ts';
import { CellMetrics } from '../metrics/cells.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { probeIdentity, result, T0, tempDir } from '../store/testing/fixtures.ts';
import { LatencyDetector } from './latency/detector.ts';
import { latency } from './latency/index.ts';
import { LossDetector } from './loss/detector.ts';
import { loss } from './loss/index.ts';
import { testContext } from './testing/streams.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const HOUR = 3_600_000;

/**
 * 100 normal samples then 60 slow ones from fra, each naming both a served region (sin) and an asked-for
 * one (ams): only the path decides which is the column, so the two fields must never be mixed up.
 */
function stream(path: NetworkPath): ProbeResult[] {
  return Array.from({ length: 160 }, (_, i) =>
    result(i, { path, servedRegion: 'sin', targetRegion: 'ams', latencyMs: i < 100 ? 10 : 400 }),
  );
}

/** The dashboard's generated browser module, loaded as the browser would. */
async function dashboardColumn(): Promise<(r: object) => string | undefined> {
  const source = `data:text/javascript,${encodeURIComponent(columnRegionModule())}`;
  return ((await import(source)) as { columnRegion: (r: object) => string | undefined }).columnRegion;
}

describe('the region a result counts against', { timeout: 60_000 }, () => {
  it.each(
    PATHS,
  )('is one column for the matrix, the metrics, the dashboard and the detectors on %s', async (path) => {
    const expected = path === 'anycast' || path === 'flycast' ? 'sin' : 'ams';
    const store = await openSqliteStore({ path: tmp.db(path) });
    const { inserted } = await store.insertResults(probeIdentity('fra'), stream(path), T0);
    const matrix = await store.matrix({
      target: 'web',
      path,
      protocol: 'http',
      metric: 'mean',
      from: T0,
      to: T0 + HOUR,
    });
    await store.close();
    expect(matrix.map((c) => `${c.from}>${c.to}`)).toEqual([`fra>${expected}`]);

    const metrics = new CellMetrics({ maxCells: 100, phases: false, idleMs: HOUR });
    for (const r of inserted) metrics.observe(r, T0);
    expect([...metrics.render(T0).matchAll(/target_region="(\w+)"/g)].map((m) => m[1])).toContain(expected);
    expect(metrics.render(T0)).not.toContain(`target_region="${expected === 'sin' ? 'ams' : 'sin'}"`);

    const browser = await dashboardColumn();
    expect(inserted.map((r) => browser(r))).toEqual(inserted.map(() => expected));
    expect(inserted.map((r) => columnRegion(r))).toEqual(inserted.map(() => expected));

    const detector = new LatencyDetector(latency.defaults, testContext());
    for (const r of inserted) detector.observe(r);
    const findings = detector.evaluate(inserted.at(-1)?.startedAt ?? T0);
    expect(findings.map((f) => f.labels.region)).toEqual([expected]);
  });

  it('reads the same path table in the browser module as on the server', async () => {
    const source = `data:text/javascript,${encodeURIComponent(columnRegionModule())}`;
    expect(((await import(source)) as { COLUMN_FIELD: unknown }).COLUMN_FIELD).toEqual(COLUMN_FIELD);
  });

  it('keeps a routed failure in the empty matrix column while loss charges it to the last served region', async () => {
    const store = await openSqliteStore({ path: tmp.db('failure') });
    const ok = (seq: number) =>
      result(seq, { path: 'anycast', targetRegion: undefined, servedRegion: 'sin' });
    const lost = (seq: number) =>
      result(seq, { path: 'anycast', targetRegion: undefined, outcome: 'timeout', latencyMs: undefined });
    const { inserted } = await store.insertResults(
      probeIdentity('fra'),
      [ok(0), lost(1), lost(2), lost(3), ok(4)],
      T0,
    );
    const matrix = await store.matrix({
      target: 'web',
      path: 'anycast',
      protocol: 'http',
      metric: 'loss',
      from: T0,
      to: T0 + HOUR,
    });
    await store.close();
    expect(matrix.map((c) => [c.to, c.value])).toEqual([
      ['', 1],
      ['sin', 0],
    ]);
    const detector = new LossDetector(loss.defaults, testContext());
    for (const r of inserted) detector.observe(r);
    const [finding] = detector.evaluate(T0 + 5000);
    expect(finding?.labels).toEqual({ probe_region: 'fra', target: 'web', region: 'sin' });
  });
});
