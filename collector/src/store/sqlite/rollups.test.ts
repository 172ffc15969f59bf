import { afterAll, describe, expect, it } from 'vitest';
import { probeIdentity, result, T0, tempDir } from '../testing/fixtures.ts';
import { openSqliteStore } from './sqlite-store.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const HOUR = 3_600_000;
const pinnedHttp = { target: 'web', path: 'pinned', protocol: 'http' } as const;

// SQLite only: its rollups are a write-behind cache with a watermark (PostgreSQL writes them with the results).
describe('SQLite rollup write-behind', { timeout: 60_000 }, () => {
  it('rebuilds rollups that were never flushed when the process died (watermark recovery)', async () => {
    const path = tmp.db('recover');
    const store = await openSqliteStore({ path, rollupFlushMs: 3_600_000 });
    await store.insertResults(
      probeIdentity('fra'),
      Array.from({ length: 50 }, (_, i) => result(i)),
      T0,
    );
    await store.matrix({ ...pinnedHttp, metric: 'loss', from: T0, to: T0 + HOUR }); // flushes the first 50
    await store.insertResults(
      probeIdentity('fra'),
      Array.from({ length: 30 }, (_, i) => result(50 + i, { outcome: 'reset' })),
      T0,
    );
    // Closing the handle directly skips the store's final flush: the last 30 exist only as raw rows.
    store.db.close();
    const reopened = await openSqliteStore({ path });
    const [cell] = await reopened.matrix({ ...pinnedHttp, metric: 'reset_rate', from: T0, to: T0 + HOUR });
    expect(cell).toMatchObject({ samples: 80, value: 30 / 80 });
    await reopened.close();
    const third = await openSqliteStore({ path });
    expect(
      (await third.matrix({ ...pinnedHttp, metric: 'reset_rate', from: T0, to: T0 + HOUR }))[0]?.samples,
    ).toBe(80);
    await third.close();
  });
});
