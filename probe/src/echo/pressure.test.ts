import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedPressure, parseSomeAvg10, readPressure } from './pressure.ts';
import { echoReply } from './reply.ts';

const dir = mkdtempSync(join(tmpdir(), 'flyprobe-cgroup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('echo pressure counters', () => {
  it('reads cgroup v2 cpu.stat, memory.events, memory.pressure and memory.max', () => {
    writeFileSync(
      join(dir, 'cpu.stat'),
      'usage_usec 9000\nuser_usec 5000\nsystem_usec 4000\nnr_periods 100\nnr_throttled 7\nthrottled_usec 35000\n',
    );
    writeFileSync(join(dir, 'memory.events'), 'low 0\nhigh 3\nmax 9\noom 2\noom_kill 1\noom_group_kill 0\n');
    writeFileSync(
      join(dir, 'memory.pressure'),
      'some avg10=12.50 avg60=3.00 avg300=0.50 total=123456\nfull avg10=1.00 avg60=0.00 avg300=0.00 total=1000\n',
    );
    writeFileSync(join(dir, 'memory.max'), '268435456\n');
    expect(readPressure(dir)).toEqual({
      cpuNrThrottled: 7,
      cpuThrottledUsec: 35000,
      memoryHigh: 3,
      memoryOom: 2,
      memoryOomKill: 1,
      memorySomeAvg10: 12.5,
      memoryMaxBytes: 268435456,
    });
  });

  it('reads cgroup v1 memory.oom_control and ignores an unlimited limit', () => {
    const v1 = mkdtempSync(join(dir, 'v1-'));
    writeFileSync(join(v1, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 4\n');
    writeFileSync(join(v1, 'memory.limit_in_bytes'), '9223372036854771712\n');
    expect(readPressure(v1)).toEqual({ memoryOomKill: 4 });
    writeFileSync(join(v1, 'memory.limit_in_bytes'), '67108864\n');
    expect(readPressure(v1)).toEqual({ memoryOomKill: 4, memoryMaxBytes: 67108864 });
  });

  it('is undefined where nothing is readable, and "max" is no limit', () => {
    expect(readPressure(join(dir, 'missing'))).toBeUndefined();
    const unlimited = mkdtempSync(join(dir, 'max-'));
    writeFileSync(join(unlimited, 'memory.max'), 'max\n');
    expect(readPressure(unlimited)).toBeUndefined();
    expect(parseSomeAvg10('full avg10=3.00')).toBeUndefined();
  });

  it('reads the files at most once per ttl and rides on every echo answer', () => {
    let now = 0;
    const v2 = mkdtempSync(join(dir, 'cache-'));
    writeFileSync(join(v2, 'memory.events'), 'oom_kill 0\n');
    const pressure = cachedPressure(v2, 1000, () => now);
    const identity = { region: 'iad', machineId: 'm1', startedAt: 1_700_000_000_000, pressure };
    expect(echoReply(identity, 'http').pressure).toEqual({ memoryOomKill: 0 });
    writeFileSync(join(v2, 'memory.events'), 'oom_kill 1\n');
    now = 999;
    expect(echoReply(identity, 'http').pressure).toEqual({ memoryOomKill: 0 });
    now = 1000;
    expect(echoReply(identity, 'http').pressure).toEqual({ memoryOomKill: 1 });
    expect(echoReply({ region: 'iad', machineId: 'm1', startedAt: 1 }, 'tcp')).not.toHaveProperty('pressure');
  });
});
