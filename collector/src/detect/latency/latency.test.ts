import { describe, expect, it } from 'vitest';
import { prng, StreamBuilder, T0, testContext } from '../testing/streams.ts';
import type { Finding } from '../types.ts';
import { LatencyDetector } from './detector.ts';
import { latency } from './index.ts';

const ctx = testContext();
const STEP = 250;

function setup() {
  const s = new StreamBuilder();
  const d = new LatencyDetector(latency.defaults, ctx);
  const rnd = prng(11);
  let t = T0;
  /** ams -> fra pinned: floor about 3.6 ms; normal 12 ms with jitter and a rare spike. */
  const tick = (extra = 0, degraded = false): Finding[] => {
    t += STEP;
    const spike = rnd() < 0.02 ? 30 : 0;
    d.observe(
      s.result({
        probeRegion: 'ams',
        path: 'pinned',
        targetRegion: 'fra',
        startedAt: t,
        latencyMs: 12 + rnd() * 4 + spike + extra,
        degraded: degraded || undefined,
      }),
    );
    return d.evaluate(t + 1);
  };
  return { tick };
}

describe('latency detector', { timeout: 60_000 }, () => {
  it('raises nothing on clean jittery data with rare spikes', () => {
    const { tick } = setup();
    for (let i = 0; i < 2000; i++) expect(tick().filter((f) => f.level === 'fire')).toEqual([]);
  });

  it('fires only after the inflation is sustained over several windows, then clears', () => {
    const { tick } = setup();
    for (let i = 0; i < 100; i++) tick();
    const levels: string[] = [];
    for (let i = 0; i < 60; i++) levels.push(tick(60)[0]?.level ?? 'none');
    const firstFire = levels.indexOf('fire');
    // Two windows of twenty samples: fire once the second all-slow window closes, not before.
    expect(firstFire).toBeGreaterThanOrEqual(39);
    const [f] = tick(60);
    expect(f?.labels).toEqual({
      probe_region: 'ams',
      target: 'web',
      path: 'pinned',
      protocol: 'http',
      region: 'fra',
    });
    expect(f?.evidence.values.baseline_ms as number).toBeLessThan(20);
    expect(f?.evidence.values.floor_ms as number).toBeGreaterThan(3);
    let cleared = -1;
    for (let i = 0; i < 60 && cleared < 0; i++) if (tick().length === 0) cleared = i;
    expect(cleared).toBeGreaterThanOrEqual(0);
    expect(cleared).toBeLessThan(40);
  });

  it('fires against the fibre floor even without a baseline', () => {
    const { tick } = setup();
    let f: Finding | undefined;
    for (let i = 0; i < 40; i++) f = tick(200)[0];
    expect(f?.level).toBe('fire');
    expect(f?.evidence.values.baseline_ms).toBeNull();
  });

  it('excludes samples measured by a degraded probe', () => {
    const { tick } = setup();
    for (let i = 0; i < 100; i++) tick();
    for (let i = 0; i < 60; i++) expect(tick(300, true)).toEqual([]);
  });
});
