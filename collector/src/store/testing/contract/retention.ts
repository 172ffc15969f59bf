import { describe, expect, it } from 'vitest';
import { emptyRollupState } from '../../core/rollup-sample.ts';
import { PG_PRUNE_CHUNK } from '../../postgres/retention.ts';
import { PRUNE_CHUNK } from '../../sqlite/retention.ts';
import type { StoreHarness } from '../dialects.ts';
import { probeIdentity, result, T0 } from '../fixtures.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Registers this part of the store contract for one dialect. */
export function retentionContract(h: StoreHarness): void {
  describe('retention', { timeout: 60_000 }, () => {
    it('removes only raw rows and rollups older than their retention, in chunks, without blocking', async () => {
      const db = await h.database('prune');
      const store = await db.open();
      const now = T0 + 40 * DAY;
      const oldCount = Math.max(PRUNE_CHUNK, PG_PRUNE_CHUNK) * 2 + 17;
      const old = Array.from({ length: oldCount }, (_, i) => result(i, { startedAt: now - 3 * DAY + i }));
      const fresh = Array.from({ length: 10 }, (_, i) => result(oldCount + i, { startedAt: now - HOUR + i }));
      await store.insertResults(probeIdentity('fra'), [...old, ...fresh], now);
      const dims = {
        target: 'web',
        path: 'pinned',
        protocol: 'http',
        probeRegion: 'fra',
        column: 'ams',
        edge: '',
      } as const;
      const state = () => ({ ...emptyRollupState(), samples: 1, ok: 1 });
      await store.writeRollups([
        { tier: 'hour', dims, bucket: now - 31 * DAY, state: state() },
        { tier: 'hour', dims, bucket: now - 29 * DAY, state: state() },
        { tier: 'minute', dims, bucket: now - 8 * DAY, state: state() },
        { tier: 'minute', dims, bucket: now - 6 * DAY, state: state() },
      ]);
      await store.compactRollups();
      const count = async (table: string) => Number((await db.rows(`SELECT count(*) FROM ${table}`))[0]?.[0]);
      const minutesBefore = await count('rollup_minute');
      const hoursBefore = await count('rollup_hour');

      // Ticks of the event loop during the prune show it yields between chunks.
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 0);
      const pruned = await store.prune(now, { rawMs: 2 * DAY, rollupMs: 30 * DAY });
      clearInterval(ticker);
      expect(ticks).toBeGreaterThan(0);

      expect(pruned.raw).toBe(oldCount);
      expect(await count('results')).toBe(10);
      // Minute rollups default to 7 days, hourly ones to rollupMs; the old results' rollups (3 days ago) stay.
      expect(await count('rollup_minute')).toBe(minutesBefore - 1);
      expect(await count('rollup_hour')).toBe(hoursBefore - 1);
      expect(pruned.rollups).toBe(2);
      expect((await store.listResults({ limit: 100 })).map((r) => r.seq).sort((a, b) => a - b)).toEqual(
        fresh.map((r) => r.seq),
      );
      // Rollups of pruned raw rows remain readable.
      const [cell] = await store.matrix({ ...dims, metric: 'loss', from: now - 4 * DAY, to: now });
      expect(cell?.samples).toBe(oldCount + 10);
      await expect(store.prune(now, { rawMs: 0, rollupMs: DAY })).rejects.toThrow(/rawMs/);
      await store.close();
    });
  });
}
