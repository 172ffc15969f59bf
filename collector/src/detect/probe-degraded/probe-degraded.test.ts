import type { Heartbeat } from '@flyprobe/shared';
import { describe, expect, it } from 'vitest';
import { defaultDetectionConfig } from '../config.ts';
import { DetectorRegistry } from '../registry.ts';
import { StreamBuilder, T0 } from '../testing/streams.ts';
import type { Finding } from '../types.ts';

function heartbeat(
  at: number,
  p99: number,
  throttle?: { nrPeriods: number; nrThrottled: number },
): Heartbeat {
  return {
    at,
    uptimeS: 100,
    rssBytes: 1e8,
    heapUsedBytes: 5e7,
    eventLoopDelayMs: { p50: 1, p99, max: p99 },
    cpuThrottle: throttle ? { ...throttle, throttledUsec: 0 } : undefined,
    bufferDepth: 0,
    bufferBytes: 0,
    dropped: {},
    missedRuns: 0,
    degraded: false,
  };
}

/** A probe that reports healthy for 25 s, then lags (p99 900 ms) while its samples jump from 12 to 400 ms. */
function lagThenSlow(registry: DetectorRegistry): { clean: Finding[]; at: number } {
  const s = new StreamBuilder();
  let t = T0;
  const beat = (p99: number, throttle?: { nrPeriods: number; nrThrottled: number }) =>
    registry.observeHeartbeat({
      probeId: 'ams-1',
      probeRegion: 'ams',
      heartbeat: heartbeat(t, p99, throttle),
      receivedAt: t,
    });
  const sample = (latencyMs: number) =>
    registry.observe([s.direct('pinned', 'ams', 'fra', t, { latencyMs })]);
  for (let i = 0; i < 100; i++) {
    t += 250;
    if (i % 4 === 0) beat(5);
    sample(12);
  }
  const clean = registry.evaluate(t);
  for (let i = 0; i < 60; i++) {
    t += 250;
    // Each heartbeat reports a new health window (a repeat of one window counts once, see below).
    if (i % 4 === 0) beat(900 + i);
    sample(400);
  }
  return { clean, at: t };
}

describe('probe degraded detector', { timeout: 60_000 }, () => {
  it("distrusts a probe's results from its degraded heartbeat on, the same result asked again included", () => {
    const registry = new DetectorRegistry(defaultDetectionConfig());
    const s = new StreamBuilder();
    const r = s.direct('pinned', 'ams', 'fra', T0, { latencyMs: 12 });
    const beat = (degraded: boolean) =>
      registry.observeHeartbeat({
        probeId: r.probeId,
        probeRegion: 'ams',
        heartbeat: { ...heartbeat(T0, 5), degraded },
        receivedAt: T0,
      });
    beat(false);
    expect(registry.trustworthy(r)).toBe(true);
    expect(registry.trustworthy(r)).toBe(true);
    beat(true);
    expect(registry.trustworthy(r)).toBe(false);
    expect(registry.trustworthy(s.direct('pinned', 'ams', 'fra', T0 + 250, { latencyMs: 12 }))).toBe(false);
    beat(false);
    expect(registry.trustworthy(r)).toBe(true);
    expect(registry.trustworthy({ ...r, degraded: true })).toBe(false);
  });

  it('reports a lagging probe and keeps its latency samples out of the latency rule', () => {
    const registry = new DetectorRegistry(defaultDetectionConfig());
    const { clean, at: t } = lagThenSlow(registry);
    expect(clean).toEqual([]);
    const findings = registry.evaluate(t);
    expect(findings.map((f) => f.rule)).toEqual(['probe_degraded']);
    expect(findings[0]?.labels).toEqual({ probe_region: 'ams', probe: 'ams-1' });
    expect(findings[0]?.summary).toMatch(/event-loop delay p99 9\d\d ms/);
  });

  it('still keeps the lagging probe out of the latency rule with its own alert disabled', () => {
    const config = defaultDetectionConfig();
    const registry = new DetectorRegistry({
      ...config,
      probe_degraded: { ...config.probe_degraded, enabled: false },
    });
    const { clean, at } = lagThenSlow(registry);
    expect(clean).toEqual([]);
    expect(registry.evaluate(at)).toEqual([]);
  });

  it('counts a health window once however many heartbeats repeat it', () => {
    const registry = new DetectorRegistry(defaultDetectionConfig());
    let t = T0;
    const beat = (p99: number) => {
      t += 100;
      registry.observeHeartbeat({
        probeId: 'p',
        probeRegion: 'iad',
        heartbeat: heartbeat(t, p99),
        receivedAt: t,
      });
    };
    for (let i = 0; i < 50; i++) beat(5);
    for (let i = 0; i < 50; i++) beat(900);
    expect(registry.evaluate(t).map((f) => f.level)).toEqual(['hold']);
    beat(5);
    beat(700);
    expect(registry.evaluate(t).map((f) => f.level)).toEqual(['fire']);
  });

  it('reads CPU throttling from the change between heartbeats', () => {
    const registry = new DetectorRegistry(defaultDetectionConfig());
    const hb = (i: number, throttled: number) =>
      registry.observeHeartbeat({
        probeId: 'p',
        probeRegion: 'iad',
        heartbeat: heartbeat(T0 + i, 2, { nrPeriods: 100 * i, nrThrottled: throttled }),
        receivedAt: T0 + i,
      });
    hb(1, 50);
    hb(2, 55);
    expect(registry.evaluate(T0 + 3)).toEqual([]);
    hb(3, 95);
    hb(4, 150);
    expect(registry.evaluate(T0 + 5)[0]?.summary).toMatch(/CPU throttled in (40|55)%/);
  });
});
