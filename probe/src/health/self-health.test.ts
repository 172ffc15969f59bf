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
