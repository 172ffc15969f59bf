import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heartbeat as heartbeatSchema } from '@flyprobe/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCpuStat } from './cgroup.ts';
import { SelfHealth } from './self-health.ts';

const dir = mkdtempSync(join(tmpdir(), 'flyprobe-health-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const counters = {
  bufferDepth: () => 3,
  bufferBytes: () => 300,
  dropped: () => ({ buffer_full: 2 }),
  missedRuns: () => 4,
};

function blockEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // deliberately blocking, bounded: what a degraded probe looks like
  }
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('cgroup cpu.stat', () => {
  it('parses cgroup v2 and v1 formats', () => {
    expect(parseCpuStat('usage_usec 100\nnr_periods 50\nnr_throttled 7\nthrottled_usec 12345\n')).toEqual({
      nrPeriods: 50,
      nrThrottled: 7,
      throttledUsec: 12345,
    });
    expect(parseCpuStat('nr_periods 10\nnr_throttled 1\nthrottled_time 5000000\n')).toEqual({
      nrPeriods: 10,
      nrThrottled: 1,
      throttledUsec: 5000,
    });
    expect(parseCpuStat('usage_usec 100\n')).toBeUndefined();
  });
});

describe('self-health', () => {
  it('flags a window with a blocked event loop as degraded, and the next quiet window as healthy', async () => {
    // A generous threshold so a loaded CI machine does not look degraded in the quiet window.
    const h = new SelfHealth(
      { windowMs: 60_000, degradedLagMs: 150, degradedThrottleRatio: 0.5, cpuStatPaths: [] },
      counters,
    );
    h.start();
    try {
      await tick(50);
      blockEventLoop(400);
      await tick(30);
      expect(h.isDegraded()).toBe(true);
      const w = h.closeWindow();
      expect(w.degraded).toBe(true);
      expect(w.lagMs.max).toBeGreaterThan(300);
      expect(w.degradedReason).toMatch(/event-loop p99/);
      const hb = h.heartbeat();
      expect(heartbeatSchema.safeParse(hb).success).toBe(true);
      expect(hb).toMatchObject({
        degraded: true,
        bufferDepth: 3,
        bufferBytes: 300,
        dropped: { buffer_full: 2 },
        missedRuns: 4,
      });
      expect(hb.cpuThrottle).toBeUndefined();
      await tick(300);
      expect(h.closeWindow().degraded).toBe(false);
      expect(h.isDegraded()).toBe(false);
    } finally {
      h.stop();
    }
  });

  it('flags a stall seen by a single late sample at once, without waiting for more samples', async () => {
    const h = new SelfHealth(
      { windowMs: 60_000, degradedLagMs: 150, degradedThrottleRatio: 0.5, cpuStatPaths: [] },
      counters,
    );
    h.start();
    try {
      // Blocked before the coarse sampler's first tick: its one late tick is the only sample.
      blockEventLoop(400);
      await tick(20);
      expect(h.isDegraded()).toBe(true);
      const w = h.closeWindow();
      expect(w.degraded).toBe(true);
      expect(w.lagMs.max).toBeGreaterThan(250);
    } finally {
      h.stop();
    }
  });

  it('takes lag samples from other timers (the scheduler) and keeps a loaded window under the threshold healthy', () => {
    const h = new SelfHealth(
      { windowMs: 60_000, degradedLagMs: 50, degradedThrottleRatio: 0.5, cpuStatPaths: [] },
      counters,
    );
    for (let i = 0; i < 200; i++) h.recordLag(i % 40);
    h.recordLag(-3); // a timer that fired early counts as on time
    expect(h.isDegraded()).toBe(false);
    const quiet = h.closeWindow();
    expect(quiet.degraded).toBe(false);
    // The histogram keeps 3 significant digits.
    expect(quiet.lagMs.max).toBeCloseTo(39, 0);
    expect(quiet.lagMs.p99).toBeGreaterThan(30);
    expect(quiet.lagMs.p99).toBeLessThanOrEqual(50);
    expect(quiet.lagMs.p50).toBeGreaterThan(10);
    h.recordLag(51);
    expect(h.isDegraded()).toBe(true);
    expect(h.heartbeat()).toMatchObject({
      degraded: true,
      degradedReason: 'event-loop delay in the current window',
    });
    const stalled = h.closeWindow();
    expect(stalled.degraded).toBe(true);
    expect(stalled.lagMs.max).toBeCloseTo(51, 0);
    expect(h.closeWindow().degraded).toBe(false);
    expect(h.closeWindow().lagMs).toEqual({ p50: 0, p99: 0, max: 0 });
  });

  it('flags heavy CPU throttling from cgroup v2 cpu.stat deltas', () => {
    const file = join(dir, 'cpu.stat');
    writeFileSync(file, 'nr_periods 100\nnr_throttled 10\nthrottled_usec 1000\n');
    const h = new SelfHealth(
      { windowMs: 60_000, degradedLagMs: 1_000, degradedThrottleRatio: 0.5, cpuStatPaths: [file] },
      counters,
    );
    writeFileSync(file, 'nr_periods 110\nnr_throttled 12\nthrottled_usec 2000\n');
    expect(h.closeWindow()).toMatchObject({
      degraded: false,
      throttle: { nrPeriods: 10, nrThrottled: 2, throttledUsec: 1000 },
    });
    writeFileSync(file, 'nr_periods 120\nnr_throttled 20\nthrottled_usec 90000\n');
    const w = h.closeWindow();
    expect(w.degraded).toBe(true);
    expect(w.degradedReason).toBe('cpu throttled in 80% of periods');
    expect(h.heartbeat().cpuThrottle).toEqual({ nrPeriods: 20, nrThrottled: 10, throttledUsec: 89000 });
  });
});
