import { regionRttFloorMs } from '@flyprobe/shared';
import { describe, expect, it } from 'vitest';
import { defaultOneWayMs, WanModel } from './delay-model.ts';
import { planLab } from './plan.ts';

describe('delay model', () => {
  it('defaults to half the fibre floor x inflation x scale, and localMs within a region', () => {
    const floor = regionRttFloorMs('iad', 'fra') as number;
    expect(defaultOneWayMs('iad', 'fra', { inflation: 1.5, scale: 0.5 })).toBeCloseTo(
      (floor / 2) * 1.5 * 0.5,
      9,
    );
    expect(defaultOneWayMs('fra', 'iad')).toBeCloseTo(defaultOneWayMs('iad', 'fra'), 9);
    expect(defaultOneWayMs('iad', 'iad', { localMs: 0.25 })).toBe(0.25);
  });

  it('keeps the geometry: a farther region gets a longer delay', () => {
    expect(defaultOneWayMs('iad', 'syd')).toBeGreaterThan(defaultOneWayMs('iad', 'fra'));
    expect(defaultOneWayMs('iad', 'fra')).toBeGreaterThan(defaultOneWayMs('iad', 'dfw'));
  });

  it('sets directions independently (asymmetry) and RTT sums both', () => {
    const m = new WanModel(['iad', 'fra', 'lhr', 'dfw'], {}, { 'iad>fra': 30 });
    expect(m.oneWayMs('iad', 'fra')).toBe(30);
    const back = m.oneWayMs('fra', 'iad');
    m.setExtraDelay('fra', 'iad', 12);
    expect(m.oneWayMs('fra', 'iad')).toBeCloseTo(back + 12, 9);
    expect(m.oneWayMs('iad', 'fra')).toBe(30);
    expect(m.rttMs('iad', 'fra')).toBeCloseTo(30 + back + 12, 9);
    m.setExtraDelay('fra', 'iad', 0);
    expect(m.oneWayMs('fra', 'iad')).toBeCloseTo(back, 9);
  });

  it('rejects bad settings with the field named', () => {
    expect(() => new WanModel(['iad', 'fra', 'lhr', 'dfw'], {}, { 'iad>syd': 3 })).toThrow(
      /delays: "iad>syd"/,
    );
    const m = new WanModel(['iad', 'fra', 'lhr', 'dfw']);
    expect(() => m.setLoss('iad', 'fra', 1.5)).toThrow(/loss/);
    expect(() => m.setExtraDelay('iad', 'fra', -1)).toThrow(/extraMs/);
    expect(() => m.oneWayMs('iad', 'nrt')).toThrow(/not a lab region/);
  });

  it('maps endpoint pairs onto region pairs; the host endpoint gets hostMs and no loss', () => {
    const plan = planLab({
      regions: ['iad', 'fra', 'lhr', 'dfw'],
      targetRegions: ['iad'],
      runId: '0001',
      collectorRegion: 'lhr',
    });
    const m = new WanModel(plan.regions, { localMs: 0.2, hostMs: 0 });
    m.setLoss('iad', 'fra', 0.1);
    const pairs = m.emulatorPairs(plan.endpoints);
    const find = (s: string, d: string) => pairs.find((p) => p.src === s && p.dst === d);
    expect(pairs).toHaveLength(plan.endpoints.length * (plan.endpoints.length - 1));
    expect(find('iad', 'fra-e')?.delayMs).toBeCloseTo(m.oneWayMs('iad', 'fra'), 9);
    expect(find('iad-e', 'fra')?.loss).toBe(0.1);
    expect(find('fra', 'iad')?.loss).toBe(0);
    expect(find('iad', 'iad-e')?.delayMs).toBe(0.2);
    expect(find('iad', 'col')?.delayMs).toBeCloseTo(m.oneWayMs('iad', 'lhr'), 9);
    expect(find('host', 'iad')).toMatchObject({ delayMs: 0, loss: 0 });
  });
});
