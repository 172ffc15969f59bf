import type { ProbeResult } from '@flyprobe/shared';
import { describe, expect, it } from 'vitest';
import type { StoreHarness } from '../dialects.ts';
import { probeIdentity, result, T0 } from '../fixtures.ts';

const anycast = (
  seq: number,
  edge: string | undefined,
  served: string | undefined,
  o: Partial<ProbeResult> = {},
) => result(seq, { path: 'anycast', targetRegion: undefined, edgeRegion: edge, servedRegion: served, ...o });

/** Registers this part of the store contract for one dialect. */
export function routesContract(h: StoreHarness): void {
  describe('routes', { timeout: 60_000 }, () => {
    it('reports shares of edges and served regions, the current route, since when and the last change', async () => {
      const store = await (await h.database('routes')).open();
      const fra: ProbeResult[] = [];
      for (let i = 0; i < 6; i++) fra.push(anycast(i, 'fra', 'fra'));
      fra.push(anycast(6, undefined, undefined, { outcome: 'timeout', latencyMs: undefined })); // says nothing: ignored
      for (let i = 7; i < 9; i++) fra.push(anycast(i, 'fra', 'ams'));
      for (let i = 9; i < 11; i++) fra.push(anycast(i, 'fra', 'fra'));
      fra.push(result(11, { path: 'pinned', edgeRegion: 'waw', servedRegion: 'waw' })); // not anycast: ignored
      fra.push(anycast(12, 'fra', 'fra', { protocol: 'tcp' }));
      // Inserted out of order: routes follow startedAt, not arrival.
      await store.insertResults(probeIdentity('fra'), fra.reverse(), T0);
      await store.insertResults(
        probeIdentity('sin'),
        [anycast(0, 'sin', 'sin'), anycast(1, 'sin', 'sin', { target: 'api' })],
        T0,
      );

      const routes = await store.routes({ target: 'web', from: T0, to: T0 + 3_600_000 });
      expect(routes.map((r) => `${r.probeRegion}/${r.target}/${r.protocol}`)).toEqual([
        'fra/web/http',
        'fra/web/tcp',
        'sin/web/http',
      ]);
      const [http, tcp, sin] = routes;
      expect(http!.edges).toEqual({ fra: 1 });
      expect(http!.served).toEqual({ fra: 0.8, ams: 0.2 });
      expect(http!.current).toEqual({ edge: 'fra', served: 'fra', since: T0 + 9000 });
      expect(http!.lastChange).toBe(T0 + 9000);
      expect(tcp).toMatchObject({
        current: { edge: 'fra', served: 'fra', since: T0 + 12_000 },
        lastChange: null,
      });
      expect(sin).toMatchObject({ served: { sin: 1 }, lastChange: null, current: { since: T0 } });

      // The window bounds what counts: after the ams episode there is no change left to report.
      const late = await store.routes({ target: 'web', from: T0 + 9000, to: T0 + 3_600_000 });
      expect(late.find((r) => r.probeRegion === 'fra' && r.protocol === 'http')).toMatchObject({
        served: { fra: 1 },
        lastChange: null,
        current: { since: T0 + 9000 },
      });
      expect((await store.routes({ from: T0, to: T0 + 3_600_000 })).length).toBe(4);
      await store.close();
    });

    it('keeps anycast and flycast as two routes of a probe region and filters by path', async () => {
      const store = await (await h.database('routes-flycast')).open();
      const flycast = (seq: number, served: string) =>
        result(seq, { path: 'flycast', targetRegion: undefined, edgeRegion: 'fra', servedRegion: served });
      // Anycast enters at ams and is served in ams; flycast enters fra's own proxy, served in fra then waw.
      await store.insertResults(
        probeIdentity('fra'),
        [anycast(0, 'ams', 'ams'), anycast(1, 'ams', 'ams'), flycast(2, 'fra'), flycast(3, 'waw')],
        T0,
      );
      const window = { from: T0, to: T0 + 3_600_000 };
      const both = await store.routes(window);
      expect(both.map((r) => [r.path, r.current.edge, r.current.served, r.lastChange])).toEqual([
        ['anycast', 'ams', 'ams', null],
        ['flycast', 'fra', 'waw', T0 + 3000],
      ]);
      expect(both[1]?.served).toEqual({ fra: 0.5, waw: 0.5 });
      const only = await store.routes({ ...window, path: 'flycast' });
      expect(only.map((r) => r.path)).toEqual(['flycast']);
      await store.close();
    });
  });
}
