import { describe, expect, it } from 'vitest';
import { chooseServedRegion } from './route.ts';

const base = { edge: 'lhr', targetRegions: ['iad', 'fra', 'syd'], healthy: new Set(['iad', 'fra', 'syd']) };

describe('chooseServedRegion', () => {
  it('serves from the nearest healthy region by default', () => {
    expect(chooseServedRegion(base)).toEqual({ ok: true, region: 'fra', reason: 'nearest' });
    expect(chooseServedRegion({ ...base, healthy: new Set(['iad', 'syd']) })).toMatchObject({
      region: 'iad',
    });
  });

  it('honours fly-force-region with no fallback', () => {
    expect(chooseServedRegion({ ...base, force: 'SYD ' })).toEqual({
      ok: true,
      region: 'syd',
      reason: 'forced',
    });
    const down = chooseServedRegion({ ...base, force: 'syd', healthy: new Set(['iad', 'fra']) });
    expect(down).toMatchObject({ ok: false, status: 503 });
    expect(down.ok ? '' : down.message).toMatch(/syd has no healthy machine/);
    const absent = chooseServedRegion({ ...base, force: 'nrt' });
    expect(absent.ok ? '' : absent.message).toMatch(/nrt has no machine/);
  });

  it('honours fly-prefer-region only while that region is healthy', () => {
    expect(chooseServedRegion({ ...base, prefer: 'syd' })).toMatchObject({
      region: 'syd',
      reason: 'preferred',
    });
    expect(chooseServedRegion({ ...base, prefer: 'syd', healthy: new Set(['iad', 'fra']) })).toMatchObject({
      region: 'fra',
      reason: 'nearest',
    });
  });

  it('applies the proxy-misroute override below the routing headers', () => {
    expect(chooseServedRegion({ ...base, override: 'syd' })).toMatchObject({
      region: 'syd',
      reason: 'override',
    });
    expect(chooseServedRegion({ ...base, override: 'syd', force: 'iad' })).toMatchObject({
      region: 'iad',
      reason: 'forced',
    });
    expect(chooseServedRegion({ ...base, override: 'syd', healthy: new Set(['fra']) })).toMatchObject({
      region: 'fra',
    });
  });

  it('refuses with 503 when no target region is healthy', () => {
    expect(chooseServedRegion({ ...base, healthy: new Set() })).toMatchObject({ ok: false, status: 503 });
  });
});
