import { describe, expect, it } from 'vitest';
import { StreamBuilder, T0, testContext } from '../testing/streams.ts';
import { RestartDetector } from './detector.ts';
import { restart } from './index.ts';

function echoResult(s: StreamBuilder, at: number, startedAt: number, imageRef: string) {
  return s.result({
    probeRegion: 'ams',
    path: 'pinned',
    targetRegion: 'fra',
    startedAt: at,
    latencyMs: 10,
    echo: { region: 'fra', machineId: 'm1', startedAt, imageRef, receivedAt: at + 5, requestId: `r${at}` },
  });
}

describe('restart detector', { timeout: 60_000 }, () => {
  it('fires when the start time moves with the same image, and resolves after holdMs', () => {
    const s = new StreamBuilder();
    const config = { ...restart.defaults, holdMs: 10_000 };
    const d = new RestartDetector(config, testContext());
    d.observe(echoResult(s, T0, T0 - 60_000, 'img:1'));
    d.observe(echoResult(s, T0 + 1000, T0 - 60_000, 'img:1'));
    expect(d.evaluate(T0 + 1001)).toEqual([]);
    const restarted = echoResult(s, T0 + 2000, T0 + 1500, 'img:1');
    d.observe(restarted);
    // A late result from before the restart changes nothing.
    d.observe(echoResult(s, T0 + 900, T0 - 60_000, 'img:1'));
    const [f] = d.evaluate(T0 + 2001);
    expect(f?.level).toBe('fire');
    expect(f?.labels).toEqual({ target: 'web', region: 'fra', machine: 'm1' });
    expect(f?.evidence.sampleIds).toEqual([restarted.id]);
    expect(f?.evidence.values.restarts_in_window).toBe(1);
    expect(d.evaluate(T0 + 2000 + 10_001)).toEqual([]);
  });

  it('treats a new image as a deploy, not a restart', () => {
    const s = new StreamBuilder();
    const d = new RestartDetector(restart.defaults, testContext());
    d.observe(echoResult(s, T0, T0 - 60_000, 'img:1'));
    d.observe(echoResult(s, T0 + 2000, T0 + 1500, 'img:2'));
    expect(d.evaluate(T0 + 2001)).toEqual([]);
  });
});
