import { describe, expect, it } from 'vitest';
import { StreamBuilder, T0, testContext } from '../testing/streams.ts';
import { MisrouteDetector } from './detector.ts';
import { misroute } from './index.ts';

/**
 * Flycast is routed by fly-proxy like anycast (nearest healthy Machine, seen from the proxy of the
 * probe's own region), so the route rules judge it on its own: keyed by path, labelled `flycast`.
 */

const ctx = testContext({ configuredRegions: () => ['fra', 'sin'] });
const STEP = 1000;

describe('detectors on the flycast path', () => {
  it('misroute: flycast served far away through the local proxy fires as a proxy misroute labelled flycast', () => {
    const s = new StreamBuilder();
    const d = new MisrouteDetector(misroute.defaults, ctx);
    let t = T0;
    const tick = (flycastServed: string) => {
      t += STEP;
      // Anycast stays correct all along: only the flycast key may fire.
      d.observe(s.anycast('ams', t, 'fra', 'ams', 9));
      d.observe(s.flycast('ams', t, flycastServed, 'ams', flycastServed === 'fra' ? 9 : 160));
      for (const region of ['fra', 'sin'])
        d.observe(s.direct('pinned', 'ams', region, t, { latencyMs: region === 'fra' ? 9 : 160 }));
      return d.evaluate(t + 10);
    };
    for (let i = 0; i < 10; i++) expect(tick('fra')).toEqual([]);
    tick('sin');
    const findings = tick('sin');
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f?.level).toBe('fire');
    expect(f?.labels).toEqual({
      probe_region: 'ams',
      target: 'web',
      path: 'flycast',
      protocol: 'http',
      region: 'sin',
    });
    expect(f?.evidence.values.cause).toBe('proxy');
    expect(f?.evidence.values.expected_region).toBe('fra');
    expect(f?.evidence.values.latency_penalty_ms).toBe(151);
    expect(f?.summary).toMatch(/^web: flycast from ams/);
  });
});
