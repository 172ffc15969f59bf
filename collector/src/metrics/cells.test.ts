import type { Phases } from '@flyprobe/shared';
import { prng } from '@flyprobe/shared/testing';
import { describe, expect, it } from 'vitest';
import type { StoredResult } from '../store/store.ts';
import { CellMetrics, PHASE_BUCKETS, PHASES } from './cells.ts';

const ALL_PHASES = [...PHASES, 'ping'] as const;

describe('CellMetrics phase histograms', () => {
  it('observe every phase a result has, in any key order, and no other (seeded random results)', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const rnd = prng(seed);
      const next = (n: number) => Math.floor(rnd() * n);
      const cells = new CellMetrics({ maxCells: 100, phases: true, idleMs: 60_000 });
      // Expected per (cell column, phase): count, sum in seconds, per-bucket counts; by the plain rule.
      const expected = new Map<string, { count: number; sum: number; buckets: number[] }>();
      for (let i = 0; i < 2000; i++) {
        const names = ALL_PHASES.filter(() => next(2) === 0).sort(() => next(3) - 1);
        const phases: Phases = {};
        for (const name of names) phases[name] = next(100_000) / 100;
        const outcome = next(5) === 0 ? 'timeout' : 'ok';
        const degraded = next(10) === 0 ? true : undefined;
        const column = ['fra', 'lhr'][next(2)] as string;
        const r: StoredResult = {
          id: i + 1,
          probeId: 'p',
          bootId: 'b',
          probeRegion: 'iad',
          receivedAt: 1,
          seq: i,
          target: 'web',
          path: 'pinned',
          protocol: 'http',
          targetRegion: column,
          startedAt: 1,
          phases,
          outcome,
          ...(outcome === 'ok' && { latencyMs: 10 }),
          ...(degraded && { degraded }),
        };
        cells.observe(r, 1);
        if (outcome !== 'ok' || degraded) continue;
        for (const name of names) {
          if (name === 'ping') continue;
          const key = `${column} ${name}`;
          const e = expected.get(key) ?? { count: 0, sum: 0, buckets: [] };
          const seconds = (phases[name] as number) / 1000;
          e.count++;
          e.sum += seconds;
          PHASE_BUCKETS.forEach((le, b) => {
            if (seconds <= le) e.buckets[b] = (e.buckets[b] ?? 0) + 1;
          });
          expected.set(key, e);
        }
      }
      const text = cells.render(1);
      let histograms = 0;
      for (const line of text.split('\n')) {
        const m =
          /^flyprobe_phase_duration_seconds_(bucket|sum|count)\{.*target_region="(\w+)",phase="(\w+)"(?:,le="([^"]+)")?\} (.+)$/.exec(
            line,
          );
        if (!m) continue;
        const [, kind, column, phase, le, value] = m;
        const e = expected.get(`${column} ${phase}`);
        expect(e, `seed ${seed}: ${line}`).toBeDefined();
        if (!e) continue;
        if (kind === 'count') {
          histograms++;
          expect(Number(value), `seed ${seed}: ${line}`).toBe(e.count);
        } else if (kind === 'sum') expect(Number(value), `seed ${seed}: ${line}`).toBeCloseTo(e.sum, 9);
        else if (le === '+Inf') expect(Number(value), `seed ${seed}: ${line}`).toBe(e.count);
        else {
          const b = PHASE_BUCKETS.indexOf(Number(le) as (typeof PHASE_BUCKETS)[number]);
          expect(Number(value), `seed ${seed}: ${line}`).toBe(e.buckets[b] ?? 0);
        }
      }
      // Every expected (column, phase) histogram is exported, and nothing for `ping`.
      expect(histograms, `seed ${seed}`).toBe(expected.size);
      expect(text).not.toContain('phase="ping"');
    }
  });
});
