import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeIdentity, result, T0 } from '../testing/fixtures.ts';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../testing/postgres-server.ts';
import { openPostgresStore } from './postgres-store.ts';

const skip = postgresUnavailable();
const HOUR = 3_600_000;
const pinnedHttp = { target: 'web', path: 'pinned', protocol: 'http' } as const;

// What only a shared store must get right: two collectors writing the same database at once.
describe.skipIf(skip !== null)(
  `PostgreSQL shared by two collectors${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let server: TestPostgres;
    beforeAll(async () => {
      server = await startTestPostgres();
    }, 60_000);
    afterAll(() => server?.stop(), 30_000);

    it('stores overlapping batches from two stores once, and rollup counts add up before and after compaction', async () => {
      const url = await server.createDatabase('two_writers');
      const [a, b] = await Promise.all([
        openPostgresStore({ url, compactMs: 0 }),
        openPostgresStore({ url, compactMs: 0 }),
      ]);
      // Each probe's batches go to both collectors (a probe retrying on the other one), interleaved.
      const probes = ['fra', 'sin', 'ord'].map((r) => probeIdentity(r));
      const writes = [];
      for (const probe of probes) {
        for (let k = 0; k < 10; k++) {
          const batch = Array.from({ length: 50 }, (_, i) =>
            result(k * 50 + i, { startedAt: T0 + (k * 50 + i) * 1000, latencyMs: 10 + i }),
          );
          writes.push(a.insertResults(probe, batch, T0), b.insertResults(probe, batch, T0));
        }
      }
      const outcomes = await Promise.all(writes);
      expect(outcomes.reduce((n, o) => n + o.inserted.length, 0)).toBe(3 * 500);
      expect(outcomes.reduce((n, o) => n + o.duplicate, 0)).toBe(3 * 500);
      const ids = outcomes.flatMap((o) => o.inserted.map((r) => r.id));
      expect(new Set(ids).size).toBe(ids.length);
      const query = { ...pinnedHttp, metric: 'p50' as const, from: T0, to: T0 + HOUR };
      const before = await a.matrix(query);
      expect(before.map((c) => [c.from, c.samples])).toEqual([
        ['fra', 500],
        ['ord', 500],
        ['sin', 500],
      ]);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const rows = async () =>
        Number((await client.query('SELECT count(*) AS n FROM rollup_minute')).rows[0].n);
      const partial = await rows();
      // Both stores compact at once: merging must neither lose nor double rows.
      await Promise.all([a.compactRollups(), b.compactRollups()]);
      const compacted = await rows();
      expect(compacted).toBeLessThan(partial);
      const buckets = Number(
        (
          await client.query(
            'SELECT count(DISTINCT (target, path, protocol, bucket)) AS n FROM rollup_minute',
          )
        ).rows[0].n,
      );
      expect(compacted).toBe(buckets);
      expect(await b.matrix(query)).toEqual(before);
      await client.end();
      await Promise.all([a.close(), b.close()]);
    }, 60_000);

    it('feeds a late-committing transaction in commit order instead of skipping it', async () => {
      const url = await server.createDatabase('late_commit');
      const store = await openPostgresStore({ url, compactMs: 0 });
      await store.insertResults(probeIdentity('fra'), [result(0)], T0);
      const { cursor } = await store.resultsAfter(null, 10);
      const inserted = (await store.insertResults(probeIdentity('ams'), [result(0)], T0)).inserted.length;
      expect(inserted).toBe(1);
      const start = await store.resultsAfter(cursor, 10);
      expect(start.results.map((r) => `${r.probeRegion}${r.seq}`)).toEqual(['ams0']);
      // Another collector's transaction takes an id now and commits later.
      const slow = new pg.Client({ connectionString: url });
      await slow.connect();
      await slow.query('BEGIN');
      await slow.query(
        `INSERT INTO results (boot_key, seq, probe_region, target, path, protocol, started_at, received_at, outcome, extra)
       SELECT id, 99, 'lhr', 'web', 'pinned', 'http', $1, $1, 'ok', '{}' FROM probe_boots WHERE probe_id = 'ams-1'`,
        [T0],
      );
      await store.insertResults(probeIdentity('sin'), [result(0)], T0);
      // While the older transaction is open, nothing after it is handed out (it could still commit before).
      expect((await store.resultsAfter(start.cursor, 10)).results).toEqual([]);
      await slow.query('COMMIT');
      await slow.end();
      const after = await store.resultsAfter(start.cursor, 10);
      expect(after.results.map((r) => `${r.probeRegion}${r.seq}`)).toEqual(['lhr99', 'sin0']);
      await store.close();
    }, 60_000);

    it('applies migrations once when several collectors start together', async () => {
      const url = await server.createDatabase('migrate');
      const stores = await Promise.all(
        Array.from({ length: 4 }, () => openPostgresStore({ url, compactMs: 0 })),
      );
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query(
        'SELECT component, id FROM schema_migrations ORDER BY component, id',
      );
      expect(rows).toEqual([
        { component: 'alerts', id: 1 },
        { component: 'store', id: 1 },
      ]);
      await client.end();
      await Promise.all(stores.map((s) => s.close()));
    }, 60_000);
  },
);
