import { describe, expect, it } from 'vitest';
import { StreamBuilder, T0, testContext } from '../testing/streams.ts';
import { FlappingDetector } from './detector.ts';
import { flapping } from './index.ts';

/**
 * Flycast is routed by fly-proxy like anycast (nearest healthy Machine, seen from the proxy of the
 * probe's own region), so the route rules judge it on its own: keyed by path, labelled `flycast`.
 */

const ctx = testContext({ configuredRegions: () => ['fra', 'sin'] });

describe('detectors on the flycast path', () => {
  it('flapping: anycast and flycast served from different regions are two stable routes, not one flapping route', () => {
    const s = new StreamBuilder();
    const d = new FlappingDetector(flapping.defaults, ctx);
    for (let i = 0; i < 200; i++) {
      const at = T0 + i * 250;
      d.observe(s.anycast('ams', at, 'fra', 'ams'));
      d.observe(s.flycast('ams', at, 'lhr'));
      expect(d.evaluate(at + 1)).toEqual([]);
    }
  });

  it('flapping: a flycast route alternating between regions fires with the flycast label', () => {
    const s = new StreamBuilder();
    const d = new FlappingDetector(flapping.defaults, ctx);
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
});
