import { describe, expect, it } from 'vitest';
import { fibreRttFloorMs, greatCircleKm, nearestRegion, regionDistanceKm, regionRttFloorMs } from './geo.ts';
import { checkDeployableRegion, currentRegions, findRegion } from './regions.ts';

describe('great-circle distance', () => {
  it('iad-fra is about 6,500 km (within 1%)', () => {
    const d = regionDistanceKm('iad', 'fra')!;
    expect(Math.abs(d - 6500) / 6500).toBeLessThan(0.01);
  });
  it('lhr-syd is about 17,000 km and is symmetric', () => {
    const d = regionDistanceKm('lhr', 'syd')!;
    expect(d).toBeGreaterThan(16_800);
    expect(d).toBeLessThan(17_100);
    expect(regionDistanceKm('syd', 'lhr')).toBeCloseTo(d, 6);
  });
  it('a point to itself is 0 and antipodes are half the circumference', () => {
    expect(greatCircleKm({ lat: 10, lon: 20 }, { lat: 10, lon: 20 })).toBe(0);
    expect(greatCircleKm({ lat: 0, lon: 0 }, { lat: 0, lon: 180 })).toBeCloseTo(Math.PI * 6371.0088, 3);
  });
  it('returns undefined for codes the catalog does not know', () => {
    expect(regionDistanceKm('iad', 'zzz')).toBeUndefined();
  });
});

describe('fibre RTT floor', () => {
  it('is 1 ms per 100 km of distance', () => {
    expect(fibreRttFloorMs(100)).toBeCloseTo(1, 9);
    expect(fibreRttFloorMs(6500)).toBeCloseTo(65, 9);
  });
  it('iad-fra floor is about 65 ms', () => {
    expect(regionRttFloorMs('iad', 'fra')!).toBeGreaterThan(64);
    expect(regionRttFloorMs('iad', 'fra')!).toBeLessThan(66);
  });
});

describe('nearest region', () => {
  it('picks fra for ams among fra, iad, syd', () => {
    expect(nearestRegion('ams', ['iad', 'syd', 'fra'])?.code).toBe('fra');
  });
  it('picks the region itself when it is a candidate', () => {
    expect(nearestRegion('syd', ['iad', 'syd'])).toEqual({ code: 'syd', distanceKm: 0 });
  });
  it('skips unknown codes and returns undefined when none is known', () => {
    expect(nearestRegion('iad', ['zzz', 'ewr'])?.code).toBe('ewr');
    expect(nearestRegion('iad', ['zzz'])).toBeUndefined();
  });
});

describe('region catalog', () => {
  it('has the 18 current regions', () => {
    expect(currentRegions()).toHaveLength(18);
  });
  it('knows deprecated codes with their replacement and edge-only codes', () => {
    expect(findRegion('mad')).toMatchObject({ status: 'deprecated', replacement: 'cdg' });
    expect(findRegion('DXB')).toMatchObject({ status: 'edge_only' });
  });
  it('validates deployable regions with a reason', () => {
    expect(checkDeployableRegion('iad').ok).toBe(true);
    expect(checkDeployableRegion('bos')).toMatchObject({
      ok: false,
      reason: 'deprecated',
      replacement: 'ewr',
    });
    expect(checkDeployableRegion('ist')).toMatchObject({ ok: false, reason: 'edge_only' });
    expect(checkDeployableRegion('qqq')).toMatchObject({ ok: false, reason: 'unknown' });
    const bad = checkDeployableRegion('ia-d');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toContain('not a region code');
  });
});
