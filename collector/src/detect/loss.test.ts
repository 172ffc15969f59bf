import { describe, expect, it } from 'vitest';
import { defaultDetectionConfig } from './config.ts';
import { LossDetector } from './loss.ts';
import { prng, StreamBuilder, T0, testContext } from './test-streams.ts';
import type { Finding } from './types.ts';

const ctx = testContext();

function setup() {
  const s = new StreamBuilder();
  const d = new LossDetector(defaultDetectionConfig().loss, ctx);
  const rnd = prng(21);
  let t = T0;
  /** ams -> fra over private http and tcp; `loss` is the chance a measurement hits a lost packet. */
  const tick = (loss = 0): Finding[] => {
    t += 250;
    for (const protocol of ['http', 'tcp'] as const) {
      const hit = rnd() < loss;
      const timedOut = hit && rnd() < 0.2;
      d.observe(
        s.result({
          probeRegion: 'ams',
          path: 'private',
          protocol,
          targetRegion: 'fra',
          startedAt: t,
          outcome: timedOut ? 'timeout' : 'ok',
          latencyMs: timedOut ? undefined : 9 + rnd() * 3 + (hit ? 210 + rnd() * 800 : 0),
        }),
      );
    }
    return d.evaluate(t + 1);
  };
  return { tick };
}

describe('loss detector', { timeout: 60_000 }, () => {
  it('stays quiet on clean jittery data', () => {
    const { tick } = setup();
    for (let i = 0; i < 600; i++) expect(tick()).toEqual([]);
  });

  it("does not count stalls that a busy host spread over the probe's other regions", () => {
    const s = new StreamBuilder();
    const d = new LossDetector(defaultDetectionConfig().loss, ctx);
    let t = T0;
    for (let i = 0; i < 200; i++) {
      t += 250;
      // Every 5th interval the probe's process stalls: all its measurements of that interval are 300 ms late.
      const stall = i > 40 && i % 5 === 0 ? 300 : 0;
      for (const [targetRegion, base] of [
        ['fra', 10],
        ['ams', 1],
        ['lhr', 6],
      ] as const)
        d.observe(
          s.result({
            probeRegion: 'ams',
            path: 'private',
            targetRegion,
            startedAt: t,
            latencyMs: base + stall,
          }),
        );
      expect(d.evaluate(t + 1)).toEqual([]);
    }
  });

  it('fires on retransmission stalls and timeouts, holds through the fault, clears after it', () => {
    const { tick } = setup();
    for (let i = 0; i < 50; i++) tick();
    let fired: Finding | undefined;
    for (let i = 0; i < 40 && !fired; i++) fired = tick(0.26).find((f) => f.level === 'fire');
    expect(fired?.labels).toEqual({ probe_region: 'ams', target: 'web', region: 'fra' });
    expect(fired?.summary).toMatch(/stall/);
    for (let i = 0; i < 100; i++) expect(tick(0.26)).toHaveLength(1);
    let cleared = -1;
    for (let i = 0; i < 60 && cleared < 0; i++) if (tick().length === 0) cleared = i;
    expect(cleared).toBeGreaterThan(0);
  });
});
