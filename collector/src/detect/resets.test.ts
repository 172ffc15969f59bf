import { describe, expect, it } from 'vitest';
import type { StoredResult } from '../store/store.ts';
import { defaultDetectionConfig } from './config.ts';
import { ResetsDetector } from './resets.ts';
import { prng, StreamBuilder, T0 } from './test-streams.ts';
import type { Finding } from './types.ts';

const REGIONS = ['ams', 'iad', 'sin'];
const STEP = 1000;

/** Every probe region probes every target region pinned over tcp, plus anycast to its own region. */
function setup(seed = 1) {
  const s = new StreamBuilder();
  const d = new ResetsDetector(defaultDetectionConfig().resets);
  const rnd = prng(seed);
  let t = T0;
  const tick = (fails: (row: string, col: string) => boolean = () => false): Finding[] => {
    t += STEP;
    for (const row of REGIONS) {
      const results: StoredResult[] = REGIONS.map((col) =>
        s.result({
          probeRegion: row,
          path: 'pinned',
          protocol: 'tcp',
          targetRegion: col,
          startedAt: t,
          outcome: fails(row, col) ? 'reset' : 'ok',
        }),
      );
      const anycastFails = fails(row, row);
      results.push(
        s.result({
          probeRegion: row,
          path: 'anycast',
          startedAt: t,
          outcome: anycastFails ? 'reset' : 'ok',
          servedRegion: anycastFails ? undefined : row,
        }),
      );
      for (const r of results) d.observe(r);
    }
    return d.evaluate(t + 1);
  };
  return { tick, rnd };
}

describe('resets detector', { timeout: 60_000 }, () => {
  it('ignores rare failures on clean data', () => {
    const { tick, rnd } = setup();
    // A stray failure may hold an open alert (hysteresis) but never opens one.
    for (let i = 0; i < 300; i++)
      expect(tick(() => rnd() < 0.01).filter((f) => f.level === 'fire')).toEqual([]);
  });

  it('localises resets at probes in one region against a clean baseline', () => {
    const { tick } = setup();
    for (let i = 0; i < 10; i++) tick();
    let f: Finding[] = [];
    for (let i = 0; i < 3; i++) f = tick((row) => row === 'sin');
    expect(f).toHaveLength(1);
    expect(f[0]?.level).toBe('fire');
    expect(f[0]?.labels).toEqual({ target: 'web', region: 'sin' });
    expect(f[0]?.scope).toBe('local');
    expect(f[0]?.summary).toMatch(/probes in sin/);
    expect(f[0]?.evidence.values.clean_probe_regions).toBe('ams,iad');
    expect(f[0]?.evidence.sampleIds.length).toBeGreaterThan(0);
  });

  it('localises resets at the target in one region seen from every probe', () => {
    const { tick } = setup();
    for (let i = 0; i < 10; i++) tick();
    let f: Finding[] = [];
    for (let i = 0; i < 3; i++) f = tick((_row, col) => col === 'iad');
    expect(f.map((x) => x.labels)).toEqual([{ target: 'web', region: 'iad' }]);
    expect(f[0]?.summary).toMatch(/target in iad/);
  });

  it('calls resets everywhere global, and clears after the fault with hysteresis', () => {
    const { tick } = setup();
    for (let i = 0; i < 10; i++) tick();
    let f: Finding[] = [];
    for (let i = 0; i < 5; i++) f = tick(() => true);
    expect(f).toEqual([
      expect.objectContaining({ scope: 'global', level: 'fire', labels: { target: 'web' } }),
    ]);
    const levels: string[] = [];
    for (let i = 0; i < 70; i++) levels.push(tick()[0]?.level ?? 'none');
    expect(levels[0]).toBe('fire');
    expect(levels).toContain('hold');
    expect(levels.at(-1)).toBe('none');
  });

  it('counts abnormal gRPC stream ends but not samples or clean ends', () => {
    const s = new StreamBuilder();
    const d = new ResetsDetector({ ...defaultDetectionConfig().resets, minSamples: 3, minFailures: 2 });
    const stream = (at: number, event: 'sample' | 'end', endReason?: 'goaway' | 'ok') =>
      s.result({
        probeRegion: 'ams',
        path: 'pinned',
        protocol: 'grpc',
        targetRegion: 'fra',
        startedAt: at,
        outcome: endReason === 'goaway' ? 'reset' : 'ok',
        stream: {
          streamId: 's',
          event,
          openedAt: T0,
          lifetimeMs: at - T0,
          ticks: 3,
          maxGapMs: 1000,
          endReason,
        },
      });
    for (let i = 1; i <= 20; i++) d.observe(stream(T0 + i * 100, 'sample'));
    d.observe(stream(T0 + 2100, 'end', 'ok'));
    expect(d.evaluate(T0 + 2200)).toEqual([]);
    for (let i = 0; i < 3; i++) d.observe(stream(T0 + 2300 + i, 'end', 'goaway'));
    const [f] = d.evaluate(T0 + 2400);
    expect(f?.evidence.values.count_stream_goaway).toBe(3);
  });
});
