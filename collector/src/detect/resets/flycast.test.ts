import { describe, expect, it } from 'vitest';
import { StreamBuilder, T0, testContext } from '../testing/streams.ts';
import { ResetsDetector } from './detector.ts';
import { resets as rule } from './index.ts';

/**
 * Flycast is routed by fly-proxy like anycast (nearest healthy Machine, seen from the proxy of the
 * probe's own region), so the route rules judge it on its own: keyed by path, labelled `flycast`.
 */

const ctx = testContext({ configuredRegions: () => ['fra', 'sin'] });
const STEP = 1000;

describe('detectors on the flycast path', () => {
  it('resets: a failed flycast attempt counts against the region flycast last served from', () => {
    const s = new StreamBuilder();
    const resets = new ResetsDetector(rule.defaults, ctx);
    let t = T0;
    const failed = () =>
      s.result({
        probeRegion: 'ams',
        path: 'flycast',
        startedAt: t,
        outcome: 'reset',
        failedPhase: 'connect',
      });
    // Anycast is served in fra, flycast in sin; then both fail: each failure lands in its own path's column.
    for (let i = 0; i < 30; i++) {
      t += STEP;
      resets.observe(s.anycast('ams', t, 'fra', 'ams'));
      resets.observe(s.flycast('ams', t, 'sin'));
    }
    for (let i = 0; i < 30; i++) {
      t += STEP;
      resets.observe(s.anycast('ams', t, 'fra', 'ams'));
      resets.observe(failed());
    }
    const findings = resets.evaluate(t + 10).filter((f) => f.level === 'fire');
    expect(findings.map((f) => f.labels)).toEqual([
      {
        target: 'web',
        path: 'flycast',
        kind: 'connection',
        scope: 'pair',
        probe_region: 'ams',
        region: 'sin',
      },
    ]);
  });
});
