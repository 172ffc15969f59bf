import { describe, expect, it } from 'vitest';
import type { StoreHarness } from '../dialects.ts';
import { probeIdentity, result, T0 } from '../fixtures.ts';

/** Registers this part of the store contract for one dialect. */
export function feedContract(h: StoreHarness): void {
  describe('results feed and leases', { timeout: 60_000 }, () => {
    it('returns results committed after a cursor, in commit order, page by page, never twice', async () => {
      const store = await (await h.database('feed')).open();
      await store.insertResults(probeIdentity('fra'), [result(0)], T0);
      const start = await store.resultsAfter(null, 10);
      expect(start.results).toEqual([]);
      await store.insertResults(probeIdentity('fra'), [result(1), result(2), result(3)], T0);
      await store.insertResults(probeIdentity('sin'), [result(0), result(1)], T0);
      const page1 = await store.resultsAfter(start.cursor, 3);
      const page2 = await store.resultsAfter(page1.cursor, 3);
      const page3 = await store.resultsAfter(page2.cursor, 3);
      expect(page1.results.map((r) => `${r.probeRegion}${r.seq}`)).toEqual(['fra1', 'fra2', 'fra3']);
      expect(page2.results.map((r) => `${r.probeRegion}${r.seq}`)).toEqual(['sin0', 'sin1']);
      expect(page3.results).toEqual([]);
      expect(page3.cursor).toBe(page2.cursor);
      expect(page1.results[0]).toMatchObject({ probeId: 'fra-1', target: 'web', receivedAt: T0 });
      await expect(store.resultsAfter('nonsense', 10)).rejects.toThrow(/cursor/);
      await store.close();
    });

    it('grants the lease to its holder; on a shared store to one holder at a time', async () => {
      const store = await (await h.database('leases')).open();
      expect(await store.acquireLease('detector', 'a', 60_000)).toBe(true);
      expect(await store.acquireLease('detector', 'a', 60_000)).toBe(true);
      if (store.shared) {
        expect(await store.acquireLease('detector', 'b', 60_000)).toBe(false);
        await store.releaseLease('detector', 'a');
        expect(await store.acquireLease('detector', 'b', 1)).toBe(true);
        await new Promise((r) => setTimeout(r, 20));
        // b's 1 ms lease has expired: a takes it back.
        expect(await store.acquireLease('detector', 'a', 60_000)).toBe(true);
        expect(await store.acquireLease('detector', 'b', 60_000)).toBe(false);
      }
      await store.close();
    });
  });
}
