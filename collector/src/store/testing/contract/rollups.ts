import { OUTCOMES, type ProbeResult, regionRttFloorMs } from '@flyprobe/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SKETCH_RELATIVE_ACCURACY } from '../../core/sketch.ts';
import type { StoreHarness } from '../dialects.ts';
import { probeIdentity, result, T0 } from '../fixtures.ts';

const HOUR = 3_600_000;
const pinnedHttp = { target: 'web', path: 'pinned', protocol: 'http' } as const;

/** Exact quantile with the sketch library's rank convention: the value at rank q * (n - 1). */
function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

/** Registers this part of the store contract for one dialect. */
export function rollupsContract(h: StoreHarness): void {
  describe('matrix', { timeout: 60_000 }, () => {
    it('gives percentiles within the sketch accuracy and the exact mean for 1..1000 ms', async () => {
      const store = await (await h.database('uniform')).open();
      const latencies = Array.from({ length: 1000 }, (_, i) => i + 1);
      // Shuffled over 50 minutes and two probes so the answer needs merging many rows.
      const shuffled = [...latencies].sort((a, b) => ((a * 7919) % 1000) - ((b * 7919) % 1000));
      const half = shuffled.length / 2;
      const make = (vals: number[], offset: number) =>
        vals.map((ms, i) => result(i, { latencyMs: ms, startedAt: T0 + (offset + i) * 3000 }));
      await store.insertResults(probeIdentity('fra'), make(shuffled.slice(0, half), 0), T0);
      await store.insertResults(
        probeIdentity('fra', { probeId: 'fra-2' }),
        make(shuffled.slice(half), half),
        T0,
      );
      for (const [metric, q] of [
        ['p50', 0.5],
        ['p95', 0.95],
        ['p99', 0.99],
      ] as const) {
        const [cell] = await store.matrix({ ...pinnedHttp, metric, from: T0, to: T0 + HOUR });
        const exact = exactQuantile(latencies, q);
        expect(cell?.samples).toBe(1000);
        expect(Math.abs(cell!.value! - exact) / exact).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY);
      }
      const [mean] = await store.matrix({ ...pinnedHttp, metric: 'mean', from: T0, to: T0 + HOUR });
      expect(mean?.value).toBeCloseTo(500.5, 9);
      await store.close();
    });

    it('computes loss and reset_rate exactly, and keeps degraded and failed samples out of latency', async () => {
      const store = await (await h.database('loss')).open();
      const results: ProbeResult[] = [];
      let seq = 0;
      const add = (n: number, o: Partial<ProbeResult>) => {
        for (let i = 0; i < n; i++) results.push(result(seq++, o));
      };
      add(60, { latencyMs: 10 });
      add(20, { latencyMs: 500, degraded: true });
      add(7, { outcome: 'reset', latencyMs: undefined });
      add(5, { outcome: 'refused', latencyMs: undefined });
      add(4, { outcome: 'timeout', latencyMs: undefined });
      add(4, { outcome: 'tls', latencyMs: undefined });
      await store.insertResults(probeIdentity('fra'), results, T0);
      const cell = async (metric: 'loss' | 'reset_rate' | 'p99' | 'mean') =>
        (await store.matrix({ ...pinnedHttp, metric, from: T0, to: T0 + HOUR }))[0]!;
      expect(await cell('loss')).toMatchObject({ value: 20 / 100, samples: 100, inflation: null });
      expect(await cell('reset_rate')).toMatchObject({ value: 7 / 100, samples: 100 });
      expect((await cell('p99')).value).toBeCloseTo(10, 0);
      expect((await cell('mean')).value).toBe(10);
      await store.close();
    });

    it('lays cells out by probe region and column with the fibre floor and inflation', async () => {
      const store = await (await h.database('floors')).open();
      const floor = regionRttFloorMs('fra', 'sin')!;
      await store.insertResults(
        probeIdentity('fra'),
        [result(0, { targetRegion: 'sin', latencyMs: floor * 3 })],
        T0,
      );
      await store.insertResults(
        probeIdentity('sin'),
        [result(0, { targetRegion: 'sin', latencyMs: 0.5 })],
        T0,
      );
      await store.insertResults(
        probeIdentity('fra'),
        [result(1, { targetRegion: 'xxx', latencyMs: 30 })],
        T0,
      );
      // Anycast columns are the served region; a result that reached no Machine goes to the '' column.
      await store.insertResults(
        probeIdentity('fra'),
        [
          result(2, { path: 'anycast', targetRegion: undefined, servedRegion: 'ams', edgeRegion: 'fra' }),
          result(3, { path: 'anycast', targetRegion: undefined, outcome: 'timeout', latencyMs: undefined }),
        ],
        T0,
      );
      const cells = await store.matrix({ ...pinnedHttp, metric: 'mean', from: T0, to: T0 + HOUR });
      expect(cells.map((c) => `${c.from}>${c.to}`)).toEqual(['fra>sin', 'fra>xxx', 'sin>sin']);
      expect(cells[0]!.floorMs).toBeCloseTo(floor, 9);
      expect(cells[0]!.inflation).toBeCloseTo(3, 9);
      expect(cells[1]).toMatchObject({ floorMs: null, inflation: null });
      // Same region: floor 0 ms, below the 1 ms threshold, so no inflation.
      expect(cells[2]).toMatchObject({ floorMs: 0, inflation: null, value: 0.5 });
      const anycast = await store.matrix({
        ...pinnedHttp,
        path: 'anycast',
        metric: 'loss',
        from: T0,
        to: T0 + HOUR,
      });
      expect(anycast.map((c) => [c.to, c.value])).toEqual([
        ['', 1],
        ['ams', 0],
      ]);
      await store.close();
    });

    it('reads whole minutes for short windows and whole hours from 12 h up', async () => {
      const store = await (await h.database('window')).open();
      await store.insertResults(
        probeIdentity('fra'),
        [
          result(0, { startedAt: T0 + 30_000 }),
          result(1, { startedAt: T0 + 90_000 }),
          result(2, { startedAt: T0 + 13 * HOUR + 5 * 60_000 }),
        ],
        T0,
      );
      const samples = async (from: number, to: number) =>
        (await store.matrix({ ...pinnedHttp, metric: 'loss', from, to }))[0]?.samples ?? 0;
      expect(await samples(T0 + 45_000, T0 + 60_000)).toBe(1);
      expect(await samples(T0 + 60_000, T0 + 120_000)).toBe(1);
      expect(await samples(T0, T0 + 60_000)).toBe(1);
      // 12 h 10 min: widened to [T0, T0 + 13 h), which takes in minute 0 and 1 but not 13:05.
      expect(await samples(T0 + 10 * 60_000, T0 + 12 * HOUR + 10 * 60_000)).toBe(2);
      expect(await samples(T0 + 10 * 60_000, T0 + 13 * HOUR + 1)).toBe(3);
      expect(await samples(T0 + HOUR, T0 + 13 * HOUR + 1)).toBe(1);
      await store.close();
    });

    it('rollups equal what the raw results say, for random results', async () => {
      const store = await (await h.database('fuzz')).open();
      let boot = 0;
      const arb = fc.array(
        fc.record({
          region: fc.constantFrom('fra', 'ams', 'sin'),
          column: fc.constantFrom('fra', 'iad'),
          protocol: fc.constantFrom('http' as const, 'tcp' as const),
          minute: fc.integer({ min: 0, max: 30 }),
          outcome: fc.constantFrom(...OUTCOMES),
          latency: fc.integer({ min: 1, max: 400 }),
          degraded: fc.boolean(),
        }),
        { minLength: 1, maxLength: 120 },
      );
      await fc.assert(
        fc.asyncProperty(arb, async (items) => {
          boot++;
          const target = `t${boot}`;
          const byRegion = new Map<string, ProbeResult[]>();
          items.forEach((it, seq) => {
            const r = result(seq, {
              target,
              protocol: it.protocol,
              targetRegion: it.column,
              startedAt: T0 + it.minute * 60_000 + (seq % 60) * 100,
              outcome: it.outcome,
              latencyMs: it.outcome === 'ok' ? it.latency : undefined,
              degraded: it.degraded,
            });
            byRegion.set(it.region, [...(byRegion.get(it.region) ?? []), r]);
          });
          for (const [region, rs] of byRegion) await store.insertResults(probeIdentity(region), rs, T0);
          const raw = await store.listResults({ target, limit: 10_000 });
          for (const protocol of ['http', 'tcp'] as const) {
            const q = { target, path: 'pinned' as const, protocol, from: T0, to: T0 + HOUR };
            const loss = await store.matrix({ ...q, metric: 'loss' });
            const mean = await store.matrix({ ...q, metric: 'mean' });
            const expected = new Map<string, { n: number; fail: number; lat: number[] }>();
            for (const r of raw.filter((x) => x.protocol === protocol)) {
              const k = `${r.probeRegion}>${r.targetRegion}`;
              const e = expected.get(k) ?? { n: 0, fail: 0, lat: [] };
              e.n++;
              if (r.outcome !== 'ok') e.fail++;
              else if (!r.degraded) e.lat.push(r.latencyMs!);
              expected.set(k, e);
            }
            expect(new Set(loss.map((c) => `${c.from}>${c.to}`))).toEqual(new Set(expected.keys()));
            for (const c of loss) {
              const e = expected.get(`${c.from}>${c.to}`)!;
              expect([c.samples, c.value]).toEqual([e.n, e.fail / e.n]);
            }
            for (const c of mean) {
              const lat = expected.get(`${c.from}>${c.to}`)!.lat;
              if (lat.length === 0) expect(c.value).toBeNull();
              else expect(c.value).toBeCloseTo(lat.reduce((a, b) => a + b, 0) / lat.length, 9);
            }
          }
        }),
        { numRuns: 25 },
      );
      await store.close();
    });
  });

  describe('series', { timeout: 60_000 }, () => {
    it('buckets one cell by step, with empty buckets, from minute or hour rollups', async () => {
      const store = await (await h.database('series')).open();
      const at = (min: number, o: Partial<ProbeResult> = {}) => ({ startedAt: T0 + min * 60_000 + 1, ...o });
      let seq = 0;
      await store.insertResults(
        probeIdentity('fra'),
        [
          result(seq++, at(0, { latencyMs: 10 })),
          result(seq++, at(1, { latencyMs: 30 })),
          result(seq++, at(6, { outcome: 'reset', latencyMs: undefined })),
          result(seq++, at(6, { latencyMs: 50 })),
          result(seq++, at(7, { latencyMs: 70, targetRegion: 'sin' })),
          result(seq++, at(65, { latencyMs: 90 })),
        ],
        T0,
      );
      const cell = { ...pinnedHttp, fromRegion: 'fra', toRegion: 'ams' };
      const mean = await store.series({
        ...cell,
        metric: 'mean',
        from: T0,
        to: T0 + 15 * 60_000,
        stepMs: 5 * 60_000,
      });
      expect(mean).toEqual([
        { t: T0, value: 20, samples: 2 },
        { t: T0 + 5 * 60_000, value: 50, samples: 2 },
        { t: T0 + 10 * 60_000, value: null, samples: 0 },
      ]);
      const hourly = await store.series({
        ...cell,
        metric: 'loss',
        from: T0,
        to: T0 + 2 * HOUR,
        stepMs: HOUR,
      });
      expect(hourly).toEqual([
        { t: T0, value: 0.25, samples: 4 },
        { t: T0 + HOUR, value: 0, samples: 1 },
      ]);
      await expect(
        store.series({ ...cell, metric: 'mean', from: T0, to: T0 + HOUR, stepMs: 90_000 }),
      ).rejects.toThrow(/stepMs/);
      await expect(
        store.series({ ...cell, metric: 'mean', from: T0, to: T0 + 30 * 24 * HOUR, stepMs: 60_000 }),
      ).rejects.toThrow(/at most/);
      await store.close();
    });
  });
}
