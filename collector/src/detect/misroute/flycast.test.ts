import { describe, expect, it } from 'vitest';
import { defaultDetectionConfig } from './config.ts';
import { FlappingDetector } from './flapping/detector.ts';
import { MisrouteDetector } from './misroute/detector.ts';
import { ResetsDetector } from './resets/detector.ts';
import { StreamBuilder, T0, testContext } from './testing/streams.ts';

/**
 * Flycast is routed by fly-proxy like anycast (nearest healthy Machine, seen from the proxy of the
 * probe's own region), so the route rules judge it on its own: keyed by path, labelled `flycast`.
 */

const ctx = testContext({ configuredRegions: () => ['fra', 'sin'] });
const STEP = 1000;

describe('detectors on the flycast path', () => {
  it('misroute: flycast served far away through the local proxy fires as a proxy misroute labelled flycast', () => {
    const s = new StreamBuilder();
    const d = new MisrouteDetector(defaultDetectionConfig().misroute, ctx);
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

  it('flapping: anycast and flycast served from different regions are two stable routes, not one flapping route', () => {
    const s = new StreamBuilder();
    const d = new FlappingDetector(defaultDetectionConfig().flapping, ctx);
    for (let i = 0; i < 200; i++) {
      const at = T0 + i * 250;
      d.observe(s.anycast('ams', at, 'fra', 'ams'));
      d.observe(s.flycast('ams', at, 'lhr'));
      expect(d.evaluate(at + 1)).toEqual([]);
    }
  });

  it('flapping: a flycast route alternating between regions fires with the flycast label', () => {
    const s = new StreamBuilder();
    const d = new FlappingDetector(defaultDetectionConfig().flapping, ctx);
    let fired: ReturnType<FlappingDetector['evaluate']> = [];
    for (let i = 0; i < 40 && fired.length === 0; i++) {
      const at = T0 + i * 250;
      d.observe(s.anycast('ams', at, 'fra', 'ams'));
      d.observe(s.flycast('ams', at, Math.floor(i / 3) % 2 === 0 ? 'fra' : 'lhr'));
      fired = d.evaluate(at + 1).filter((f) => f.level === 'fire');
    }
    expect(fired.map((f) => f.labels)).toEqual([
      { probe_region: 'ams', target: 'web', path: 'flycast', protocol: 'http' },
    ]);
    expect(fired[0]?.summary).toMatch(/flycast route from ams/);
  });

  it('resets: a failed flycast attempt counts against the region flycast last served from', () => {
    const s = new StreamBuilder();
    const resets = new ResetsDetector(defaultDetectionConfig().resets, ctx);
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
