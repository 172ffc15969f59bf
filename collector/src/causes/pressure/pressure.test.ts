import type { EchoPressure } from '@flyprobe/shared';
import { describe, expect, it } from 'vitest';
import type { StoredResult } from '../../store/store.ts';
import { heartbeat, probeIdentity, result } from '../../testing/fixtures.ts';
import { PressureSource } from './index.ts';
import { pressureFindings } from './judge.ts';

const T0 = 1_800_000_000_000;

function stored(
  id: number,
  at: number,
  machineId: string,
  pressure: EchoPressure,
  startedAt = T0 - 60_000,
): StoredResult {
  return {
    ...result(id, { startedAt: at, servedRegion: 'nrt' }),
    echo: { region: 'nrt', machineId, startedAt, receivedAt: at, requestId: `r${id}`, pressure },
    id,
    probeId: 'ams-1',
    bootId: 'b',
    probeRegion: 'ams',
    receivedAt: at,
  };
}

describe('pressure findings over a window', () => {
  it('names an OOM kill across a restart in the same cgroup, with the memory limit', () => {
    const samples = [
      { at: T0, value: { memoryOomKill: 0, memoryMaxBytes: 268_435_456 } },
      { at: T0 + 10_000, value: { memoryOomKill: 0, memoryMaxBytes: 268_435_456 } },
      { at: T0 + 20_000, value: { memoryOomKill: 1, memoryMaxBytes: 268_435_456 } },
    ];
    const f = pressureFindings(samples, { from: T0 + 5000, to: T0 + 30_000 });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ kind: 'oom_kill', at: T0 + 20_000, details: { oom_kills: 1 } });
    expect(f[0]?.what).toContain('memory limit 256 MB');
    // A window after the kill: the counter did not move there.
    expect(pressureFindings(samples, { from: T0 + 25_000, to: T0 + 40_000 })).toEqual([]);
  });

  it('reports CPU throttling above 5% of wall time and memory PSI above 10%, not below', () => {
    const busy = [
      { at: T0, value: { cpuThrottledUsec: 0, cpuNrThrottled: 0 } },
      { at: T0 + 10_000, value: { cpuThrottledUsec: 2_000_000, cpuNrThrottled: 40, memorySomeAvg10: 25 } },
    ];
    expect(pressureFindings(busy, { from: T0, to: T0 + 10_000 }).map((f) => f.kind)).toEqual([
      'memory_pressure',
      'cpu_throttling',
    ]);
    const calm = [
      { at: T0, value: { cpuThrottledUsec: 0 } },
      { at: T0 + 10_000, value: { cpuThrottledUsec: 400_000, memorySomeAvg10: 9.9 } },
    ];
    expect(pressureFindings(calm, { from: T0, to: T0 + 10_000 })).toEqual([]);
  });

  it('reads a counter that went down as a new cgroup starting from zero', () => {
    const samples = [
      { at: T0, value: { memoryOomKill: 5 } },
      { at: T0 + 1000, value: { memoryOomKill: 1 } },
    ];
    expect(pressureFindings(samples, { from: T0, to: T0 + 1000 })[0]?.details.oom_kills).toBe(1);
  });
});

describe('pressure source', () => {
  it('says which side: the served Machine from echo counters, the probe from its degraded heartbeat', () => {
    const s = new PressureSource();
    s.observe([stored(1, T0, 'm-nrt', { memoryOomKill: 0 })], {
      probe: probeIdentity('ams-1', 'ams'),
      receivedAt: T0,
    });
    s.observe([stored(2, T0 + 5000, 'm-nrt', { memoryOomKill: 1 }, T0 + 4000)], {
      probe: probeIdentity('ams-1', 'ams'),
      receivedAt: T0 + 5000,
      heartbeat: heartbeat({ degraded: true, degradedReason: 'event loop delay p99 250 ms' }),
    });
    const items = s.contextFor({
      rule: 'restart',
      target: 'web',
      region: 'nrt',
      probeRegion: 'ams',
      from: T0 - 1000,
      to: T0 + 6000,
    });
    expect(items.map((i) => [i.side, i.kind])).toEqual([
      ['target', 'oom_kill'],
      ['probe', 'probe_degraded'],
    ]);
    expect(items[0]?.summary).toMatch(/^served Machine m-nrt in nrt: cgroup OOM-killed 1 process/);
    expect(items[1]?.summary).toContain('event loop delay p99 250 ms');
    expect(
      s.contextFor({ rule: 'restart', target: 'web', region: 'fra', from: T0 - 1000, to: T0 + 6000 }),
    ).toEqual([]);
  });
});
