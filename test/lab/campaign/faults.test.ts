import { nearestRegion, regionDistanceKm } from '@flyprobe/shared';
import { prng } from '@flyprobe/shared/testing';
import { describe, expect, it } from 'vitest';
import { drawFaults, FAULT_CLASSES } from './faults.ts';

const topo = { regions: ['iad', 'dfw', 'lhr', 'fra'], targetRegions: ['iad', 'fra'] };

describe('campaign fault draws', () => {
  it('covers every class in each round, reproducibly from the seed', () => {
    const a = drawFaults(prng(7), topo, 18);
    const b = drawFaults(prng(7), topo, 18);
    expect(a.map((f) => f.description)).toEqual(b.map((f) => f.description));
    for (const round of [a.slice(0, 9), a.slice(9)])
      expect(new Set(round.map((f) => f.faultClass))).toEqual(new Set(FAULT_CLASSES));
  });

  it('expects labels that follow from the drawn fault', () => {
    for (const f of drawFaults(prng(3), topo, 90)) {
      expect(f.durationIntervals).toBeGreaterThan(0);
      const [m] = f.expect;
      if (f.faultClass === 'catchment_misroute' || f.faultClass === 'proxy_misroute') {
        const probe = m?.labels?.probe_region as string;
        const served = m?.labels?.region as string;
        const expected = nearestRegion(probe, topo.targetRegions)?.code as string;
        expect(served).not.toBe(expected);
        expect(topo.targetRegions).toContain(served);
        if (f.faultClass === 'catchment_misroute')
          expect(
            (regionDistanceKm(probe, served) ?? 0) - (regionDistanceKm(probe, expected) ?? 0),
          ).toBeGreaterThan(500);
      }
      if (f.faultClass === 'resets') {
        const scope = m?.labels?.scope;
        expect(['pair', 'probe_region', 'target_region', 'global']).toContain(scope);
        expect(f.description).toMatch(/^\d+% of new connections refused/);
      }
      if (f.faultClass === 'collector_outage') expect(f.expect).toEqual([]);
    }
  });
});
