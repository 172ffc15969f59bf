import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyEvent } from '../../collector/src/causes/machine-events/classify.ts';
import { MachineEventsSource } from '../../collector/src/causes/machine-events/index.ts';
import { recordDeploy, recordExit } from '../fake-machines/machine-history.ts';
import { startTargetMachines, type TargetMachines } from './testing/target-machines.ts';

const APP = 'web-target';

describe('Machine event classification', () => {
  const exit = (e: Record<string, unknown>) =>
    classifyEvent({ type: 'exit', source: 'flyd', timestamp: 1, request: { exit_event: e } });
  it('tells an OOM kill, a requested stop, a crash and a clean exit apart', () => {
    expect(exit({ exit_code: 137, oom_killed: true, signal: 9 })?.kind).toBe('oom_kill');
    expect(exit({ exit_code: 137, oom_killed: true })?.what).toBe('OOM-killed (exit 137)');
    expect(exit({ exit_code: 143, requested_stop: true })?.kind).toBe('requested_stop');
    expect(exit({ exit_code: 1 })?.kind).toBe('crash');
    expect(exit({ exit_code: 0 })?.kind).toBe('exit');
  });
  it('prefers the MonitorEvent exit, as fly-go does', () => {
    const h = classifyEvent({
      type: 'exit',
      request: {
        exit_event: { exit_code: 1 },
        MonitorEvent: { exit_event: { exit_code: 137, oom_killed: true } },
      },
    });
    expect(h?.kind).toBe('oom_kill');
  });
  it('names platform stops and ignores starts', () => {
    expect(classifyEvent({ type: 'stop', source: 'flyd' })?.kind).toBe('platform_stop');
    expect(classifyEvent({ type: 'stop', source: 'user' })?.kind).toBe('requested_stop');
    expect(classifyEvent({ type: 'start', source: 'flyd' })).toBeUndefined();
    expect(classifyEvent({ type: 'launch', source: 'user' })).toBeUndefined();
  });
});

describe('Machine events source against a fake Machines API', () => {
  let fly: TargetMachines;
  beforeAll(async () => {
    fly = await startTargetMachines(APP);
  });
  afterAll(() => fly.close());

  const source = (now: () => number, token = fly.token) =>
    new MachineEventsSource({
      baseUrl: fly.url,
      app: APP,
      token,
      timeoutMs: 2000,
      pollIntervalMs: 30_000,
      retentionMs: 3_600_000,
      now,
    });

  it('attaches an OOM kill with exit code and memory to alerts in that region or on that Machine', async () => {
    let now = Date.now();
    const s = source(() => now);
    const nrt = fly.addMachine('nrt', 256);
    const ams = fly.addMachine('ams');
    await s.poll();
    const oomAt = now - 20_000;
    recordExit(nrt, oomAt, { exit_code: 137, oom_killed: true, signal: 9, restarting: true });
    recordExit(ams, now - 10_000, { exit_code: 143, requested_stop: true });
    await s.poll();
    const q = { rule: 'restart', from: now - 60_000, to: now };
    const items = s.contextFor({ ...q, region: 'nrt' });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      source: 'machine-events',
      kind: 'oom_kill',
      at: oomAt,
      machine: nrt.id,
      region: 'nrt',
      details: { exit_code: 137, oom_killed: true, memory_mb: 256 },
    });
    expect(items[0]?.summary).toBe(
      `Machine ${nrt.id} in nrt OOM-killed (exit 137, signal 9) at ${new Date(oomAt).toISOString()}, memory 256 MB`,
    );
    expect(s.contextFor({ ...q, machine: ams.id }).map((i) => i.kind)).toEqual(['requested_stop']);
    // Outside the window: nothing.
    expect(s.contextFor({ ...q, region: 'nrt', from: now - 3_600_000, to: now - 120_000 })).toEqual([]);
    // Polling again does not repeat an event.
    await s.poll();
    expect(s.contextFor({ ...q, region: 'nrt' })).toHaveLength(1);

    now += 5000;
    recordDeploy(ams, now, `registry.fly.io/${APP}:deployment-02`);
    nrt.host_status = 'unreachable';
    await s.poll();
    const later = { rule: 'latency', from: now - 1000, to: now };
    expect(
      s
        .contextFor({ ...later, region: 'ams' })
        .map((i) => i.kind)
        .sort(),
    ).toEqual(['deploy', 'update']);
    expect(s.contextFor({ ...later, region: 'ams' }).find((i) => i.kind === 'deploy')?.summary).toContain(
      `registry.fly.io/${APP}:deployment-02`,
    );
    expect(s.contextFor({ ...later, region: 'nrt' }).map((i) => i.kind)).toEqual(['host_unreachable']);
  });

  it('throws on a wrong token (for the poller to count), naming the host', async () => {
    await expect(source(Date.now, 'wrong').poll()).rejects.toThrow(/answered 401/);
  });
});
