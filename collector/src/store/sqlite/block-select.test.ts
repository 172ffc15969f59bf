import { afterAll, describe, expect, it } from 'vitest';
import type { RollupRecord } from '../core/rollup-delta.ts';
import { emptyRollupState } from '../core/rollup-sample.ts';
import { T0, tempDir } from '../testing/fixtures.ts';
import { sqliteSelectBlocks } from './block-select.ts';
import { openSqliteStore } from './sqlite-store.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const HOUR = 3_600_000;
const KEY = { target: 'web', path: 'pinned', protocol: 'http' } as const;

/** One hourly cell per bucket, `samples` making each block's bytes distinct. */
function records(hours: number[], samples: number): RollupRecord[] {
  return hours.map((h) => {
    const state = emptyRollupState();
    state.samples = samples + h;
    state.ok = samples + h;
    state.latCount = samples + h;
    state.latSum = 10 * (samples + h);
    state.sketch.accept(10, samples + h);
    const dims = { ...KEY, probeRegion: 'fra', column: 'ams', edge: 'fra' };
    return { tier: 'hour', dims, bucket: T0 + h * HOUR, state };
  });
}

describe('SQLite block select against known blocks', () => {
  it('answers byte-equal rows with the known arrays and every other row as stored', async () => {
    const store = await openSqliteStore({ path: tmp.db('known') });
    try {
      await store.writeRollups(records([0, 1, 2, 3, 4], 5));
      const select = sqliteSelectBlocks(store.db);
      const q = { ...KEY, table: 'rollup_hour' as const, from: T0, to: T0 + 5 * HOUR };
      const first = [...(await select(q))];
      expect(first.map((r) => r[0])).toEqual([0, 1, 2, 3, 4].map((h) => T0 + h * HOUR));
      const known = {
        buckets: first.slice(0, 4).map((r) => r[0]),
        blocks: first.slice(0, 4).map((r) => r[1]),
      };

      // Nothing changed: the four known buckets come back as the very arrays, the fifth as stored.
      const same = [...(await select({ ...q, known }))];
      expect(same).toEqual(first);
      for (let i = 0; i < 4; i++) expect(same[i]![1]).toBe(known.blocks[i]);
      expect(same[4]![1]).not.toBe(first[4]![1]);
      // Three known blocks (a statement for four, one pair NULL): the same rows, the three reused.
      const three = { buckets: known.buckets.slice(1), blocks: known.blocks.slice(1) };
      const fewer = [...(await select({ ...q, known: three }))];
      expect(fewer).toEqual(first);
      expect(fewer.map((r, i) => r[1] === known.blocks[i])).toEqual([false, true, true, true, false]);

      // Bucket 2 rewritten, bucket 1 deleted, bucket 5 added: only byte-equal rows reuse known arrays.
      await store.writeRollups(records([2, 5], 50));
      store.db.prepare('DELETE FROM rollup_hour WHERE bucket = ?').run(T0 + HOUR);
      const wider = { ...q, to: T0 + 6 * HOUR };
      const plain = [...(await select(wider))];
      const changed = [...(await select({ ...wider, known }))];
      expect(changed).toEqual(plain);
      expect(changed.map((r) => r[0])).toEqual([0, 2, 3, 4, 5].map((h) => T0 + h * HOUR));
      expect(changed[0]![1]).toBe(known.blocks[0]);
      expect(changed[1]![1]).not.toBe(known.blocks[2]);
      expect(Buffer.compare(changed[1]![1], known.blocks[2]!)).not.toBe(0);
      expect(changed[2]![1]).toBe(known.blocks[3]);

      // Known blocks of another key or outside the window are never answered.
      const other = [...(await select({ ...wider, protocol: 'tcp', known }))];
      expect(other).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
