import type { ProbeResult } from '@flyprobe/shared';
import { prng } from '@flyprobe/shared/testing';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../../testing/until.ts';
import { StoreUnavailableError } from '../store.ts';
import {
  alertRecord,
  CRASH_PROBE_ID,
  probeIdentity,
  result,
  rollupSamples,
  T0,
  tempDir,
} from '../testing/fixtures.ts';
import { openSqliteStore } from './sqlite-store.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const CRASHING_WRITER = new URL('../testing/crashing-writer.ts', import.meta.url);

/** The stored rows by (probe id, seq): how many times each is in the table. */
function rowCounts(path: string): Map<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT b.probe_id AS probe, r.seq AS seq, count(*) AS n FROM results r JOIN probe_boots b ON b.id = r.boot_key GROUP BY 1, 2',
      )
      .all() as { probe: string; seq: number; n: number }[];
    return new Map(rows.map((r) => [`${r.probe}/${r.seq}`, r.n]));
  } finally {
    db.close();
  }
}

/** The result as sent, from a stored one (the store's own fields removed). */
function asSent(stored: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, probeId: _p, bootId: _b, probeRegion: _r, receivedAt: _t, ...sent } = stored;
  return sent;
}

describe('SQLite writer thread', { timeout: 60_000 }, () => {
  it('stores exactly what it acknowledged, once, on seeded random concurrent batches with re-sends', async () => {
    for (const seed of [1, 2, 3]) {
      const next = prng(seed);
      const path = tmp.db(`property-${seed}`);
      const store = await openSqliteStore({ path });
      const probes = ['fra', 'ams', 'iad'].map((region) => probeIdentity(region));
      const sent = new Map<string, ProbeResult>();
      const acknowledged = new Map<string, number>();
      const earlier: { probe: number; batch: ProbeResult[] }[] = [];
      for (let round = 0; round < 25; round++) {
        const batches = Array.from({ length: 1 + Math.floor(next() * 4) }, () => {
          // A re-send of an earlier batch (its answer lost) or a fresh one, with seqs repeated within it.
          if (earlier.length > 0 && next() < 0.25) return earlier[Math.floor(next() * earlier.length)]!;
          const probe = Math.floor(next() * probes.length);
          const batch = Array.from({ length: 1 + Math.floor(next() * 40) }, () => {
            const seq = Math.floor(next() * 400);
            return result(seq, {
              latencyMs: Math.round(next() * 20_000) / 100,
              ...(next() < 0.2
                ? { outcome: 'timeout', latencyMs: undefined, errorMessage: 'te\nst "x"' }
                : {}),
              ...(next() < 0.1 ? { degraded: next() < 0.5 } : {}),
            });
          });
          earlier.push({ probe, batch });
          return { probe, batch };
        });
        const outcomes = await Promise.all(
          batches.map(({ probe, batch }) => store.insertResults(probes[probe]!, batch, T0 + round)),
        );
        outcomes.forEach((outcome, i) => {
          const { probe, batch } = batches[i]!;
          expect(outcome.inserted.length + outcome.duplicate).toBe(batch.length);
          for (const r of outcome.inserted) {
            const key = `${probes[probe]!.probeId}/${r.seq}`;
            acknowledged.set(key, (acknowledged.get(key) ?? 0) + 1);
            sent.set(key, batch.find((b) => b.seq === r.seq)!);
          }
        });
      }
      // Each acknowledged result once, and nothing else, in the table; the first copy sent is the one kept.
      expect([...acknowledged.values()].every((n) => n === 1)).toBe(true);
      expect(rowCounts(path)).toEqual(acknowledged);
      for (const probe of probes) {
        const stored = await store.listResults({ probeId: probe.probeId, limit: 10_000 });
        for (const r of stored)
          expect(asSent(r as unknown as Record<string, unknown>)).toEqual(
            JSON.parse(JSON.stringify(sent.get(`${probe.probeId}/${r.seq}`))),
          );
      }
      expect(await rollupSamples(store)).toBe(acknowledged.size);
      await store.close();
    }
  });

  it('resolves a write only once its rows are committed (visible to another connection)', async () => {
    const path = tmp.db('visible');
    const store = await openSqliteStore({ path });
    const probe = probeIdentity('fra');
    for (let b = 0; b < 5; b++) {
      const batch = Array.from({ length: 20 }, (_, i) => result(b * 20 + i));
      const outcome = await store.insertResults(probe, batch, T0);
      const counts = rowCounts(path);
      for (const r of outcome.inserted) expect(counts.get(`${probe.probeId}/${r.seq}`)).toBe(1);
    }
    await store.close();
  });

  it('fails only the batch SQLite refuses, with its error, and keeps writing', async () => {
    const path = tmp.db('sqlite-error');
    const store = await openSqliteStore({ path });
    store.db.exec(
      `CREATE TRIGGER refuse_13 BEFORE INSERT ON results WHEN NEW.seq = 13
       BEGIN SELECT RAISE(ABORT, 'seq 13 refused (test)'); END`,
    );
    const probe = probeIdentity('fra');
    const [good, bad, later] = await Promise.allSettled([
      store.insertResults(probe, [result(1), result(2)], T0),
      store.insertResults(probe, [result(12), result(13)], T0),
      store.insertResults(probe, [result(20)], T0),
    ]);
    expect(good).toMatchObject({ status: 'fulfilled', value: { duplicate: 0 } });
    expect(later).toMatchObject({ status: 'fulfilled', value: { duplicate: 0 } });
    expect(bad.status).toBe('rejected');
    expect(String((bad as PromiseRejectedResult).reason)).toContain('seq 13 refused (test)');
    expect([...rowCounts(path).keys()].sort()).toEqual(['fra-1/1', 'fra-1/2', 'fra-1/20']);
    await store.close();
  });

  it('answers writes in flight when the thread crashes with StoreUnavailableError, then restarts and recovers the rollups', async () => {
    const path = tmp.db('crash');
    const store = await openSqliteStore({ path, writerEntry: CRASHING_WRITER });
    const probe = probeIdentity('fra');
    await store.insertResults(probe, [result(1)], T0);
    const crashing = probeIdentity('fra', { probeId: CRASH_PROBE_ID });
    const settled = await Promise.allSettled([
      store.insertResults(crashing, [result(2), result(3)], T0),
      store.insertResults(probe, [result(4)], T0),
    ]);
    for (const s of settled) {
      expect(s.status).toBe('rejected');
      expect((s as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
    }
    // A new thread takes writes again (within a second: restarts are spaced); until then writes fail fast.
    await until(
      'a restarted writer thread',
      () =>
        store.insertResults(probe, [result(5)], T0).then(
          (outcome) => outcome,
          (error: unknown) => {
            if (error instanceof StoreUnavailableError) return undefined;
            throw error;
          },
        ),
      10_000,
    );
    // The crashed thread had committed the batch it never acknowledged (the probe will send it again, and
    // find it stored); a re-send of the other batch stores it at most once.
    const afterCrash = rowCounts(path);
    expect([afterCrash.get('crash/2'), afterCrash.get('crash/3')]).toEqual([1, 1]);
    const resent = await store.insertResults(probe, [result(4)], T0);
    expect(resent.inserted.length).toBe(afterCrash.has('fra-1/4') ? 0 : 1);
    const counts = rowCounts(path);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect([...counts.keys()].sort()).toEqual(['crash/2', 'crash/3', 'fra-1/1', 'fra-1/4', 'fra-1/5']);
    // Every stored row is in the rollups exactly once, the crashed thread's unacknowledged commit included.
    expect(await rollupSamples(store)).toBe(counts.size);
    await store.close();
  });

  it('drains on close: every write received is committed and answered, later ones are refused', async () => {
    const path = tmp.db('drain');
    const store = await openSqliteStore({ path });
    const probe = probeIdentity('fra');
    const writes = Array.from({ length: 30 }, (_, b) =>
      store.insertResults(
        probe,
        Array.from({ length: 10 }, (_, i) => result(b * 10 + i)),
        T0,
      ),
    );
    const closing = store.close();
    await expect(store.insertResults(probe, [result(1000)], T0)).rejects.toThrow();
    const outcomes = await Promise.all(writes);
    await closing;
    expect(outcomes.reduce((n, o) => n + o.inserted.length, 0)).toBe(300);
    expect(rowCounts(path).size).toBe(300);
  });

  it('commits alert changes on the writer thread: a lock held elsewhere stalls the commit, not the event loop', async () => {
    const path = tmp.db('alert-writes');
    const store = await openSqliteStore({ path, busyTimeoutMs: 20_000 });
    const blocker = new Database(path);
    blocker.exec('BEGIN IMMEDIATE');
    let committed = false;
    const commit = store.alerts
      .commitAlertChanges({ upsert: [alertRecord('a1')], remove: [], notifications: [] })
      .then(() => {
        committed = true;
      });
    // On the event loop's connection the commit would block this thread for the busy timeout instead.
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(committed).toBe(false);
    expect(store.db.prepare('SELECT count(*) FROM alerts').pluck().get()).toBe(0);
    blocker.exec('COMMIT');
    blocker.close();
    await commit;
    expect(store.db.prepare('SELECT id FROM alerts').pluck().all()).toEqual(['a1']);
    // Reads stay on the event loop's connection and see the commit once it resolved.
    expect((await store.alerts.getAlert('a1'))?.state).toBe('firing');
    await store.close();
  });

  it('refuses alert writes with StoreUnavailableError once the writer is closed', async () => {
    const store = await openSqliteStore({ path: tmp.db('alert-closed') });
    const alerts = store.alerts;
    await store.close();
    await expect(
      alerts.commitAlertChanges({ upsert: [alertRecord('a1')], remove: [], notifications: [] }),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
