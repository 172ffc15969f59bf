import { describe, expect, it } from 'vitest';
import type { StoredResult } from '../../store/store.ts';
import { prng, StreamBuilder, T0, testContext } from '../testing/streams.ts';
import { MisrouteDetector } from './detector.ts';
import { misroute } from './index.ts';

const ctx = testContext({ configuredRegions: () => ['fra', 'sin'] });
const STEP = 1000;

function setup(context = ctx) {
  const s = new StreamBuilder();
  const d = new MisrouteDetector(misroute.defaults, context);
  const rnd = prng(7);
  let t = T0;
  /** One probe interval from ams: anycast plus pinned to both target regions. */
  const tick = (served: string, edge: string, opts: { pinnedOk?: Record<string, boolean> } = {}) => {
    t += STEP;
    const results: StoredResult[] = [
      s.anycast('ams', t, served, edge, (served === 'fra' ? 9 : 160) + rnd() * 3),
      s.direct('pinned', 'ams', 'fra', t, {
        latencyMs: 9 + rnd() * 2,
        outcome: opts.pinnedOk?.fra === false ? 'timeout' : 'ok',
      }),
      s.direct('pinned', 'ams', 'sin', t, { latencyMs: 160 + rnd() * 2 }),
    ];
    for (const r of results) d.observe(r);
    return d.evaluate(t + 10);
  };
  return { tick };
}

describe('misroute detector', { timeout: 60_000 }, () => {
  it('stays quiet while anycast is served by the nearest healthy region', () => {
    const { tick } = setup();
    for (let i = 0; i < 300; i++) expect(tick('fra', 'ams')).toEqual([]);
  });

  it('fires on a proxy misroute with the latency penalty, holds, then clears after the window', () => {
    const { tick } = setup();
    for (let i = 0; i < 10; i++) tick('fra', 'ams');
    expect(tick('sin', 'ams')).toEqual([expect.objectContaining({ level: 'hold' })]);
    const [f] = tick('sin', 'ams');
    expect(f?.level).toBe('fire');
    expect(f?.labels).toEqual({
      probe_region: 'ams',
      target: 'web',
      path: 'anycast',
      protocol: 'http',
      region: 'sin',
    });
    expect(f?.evidence.values.cause).toBe('proxy');
    expect(f?.evidence.values.expected_region).toBe('fra');
    const penalty = f?.evidence.values.latency_penalty_ms as number;
    expect(penalty).toBeGreaterThan(140);
    expect(penalty).toBeLessThan(160);
    expect(f?.evidence.sampleIds.length).toBe(2);
    expect(f?.summary).toMatch(/proxy misroute/);
    // Back to normal: fire while two misrouted samples are among the newest 6; then the alarm's rate (2 of 2,
    // taken as 2 of 3) makes 7 correct samples enough evidence (clearScore 6.9 nats, 1.1 each) to end it, long
    // before the misrouted samples leave the 20-sample clear window.
    const levels: string[] = [];
    for (let i = 0; i < 22; i++) levels.push(tick('fra', 'ams')[0]?.level ?? 'none');
    expect(levels.slice(0, 4)).toEqual(['fire', 'fire', 'fire', 'fire']);
    expect(levels.slice(4, 6)).toEqual(['hold', 'hold']);
    expect(levels.slice(6).every((l) => l === 'none')).toBe(true);
  });

  it('keeps naming one served region while misrouted traffic is spread over several, so the alert stays one', () => {
    const { tick } = setup(testContext({ configuredRegions: () => ['fra', 'sin', 'nrt'] }));
    for (let i = 0; i < 10; i++) tick('fra', 'ams');
    // Two wrong regions in turn: the most common of them changes with every sample.
    const named: string[] = [];
    for (let i = 0; i < 30; i++) {
      const [f] = tick(i % 2 === 0 ? 'sin' : 'nrt', 'ams');
      if (f) named.push(f.labels.region as string);
    }
    expect(named.length).toBe(30);
    expect(new Set(named)).toEqual(new Set(['sin']));
    const [last] = tick('nrt', 'ams');
    expect(last?.evidence.values.misrouted_served).toMatch(/^(nrt:\d+,sin:\d+|sin:\d+,nrt:\d+)$/);
    // The traffic leaves the named region entirely: the finding names where it goes now.
    const later: string[] = [];
    for (let i = 0; i < 25; i++) later.push(tick('nrt', 'ams')[0]?.labels.region as string);
    expect(later.at(-1)).toBe('nrt');
  });

  it('on random spreads of misrouted traffic, changes the region it names only once that region is gone from the window', () => {
    const window = Math.max(misroute.defaults.window, misroute.defaults.clearWindow);
    for (const seed of [1, 2, 3, 4, 5]) {
      const { tick } = setup(testContext({ configuredRegions: () => ['fra', 'sin', 'nrt', 'syd'] }));
      const rnd = prng(seed);
      const wrong = ['sin', 'nrt', 'syd'].slice(0, 2 + Math.floor(rnd() * 2));
      const misroutedShare = 0.3 + rnd() * 0.6;
      const served: string[] = [];
      let named: string | undefined;
      for (let i = 0; i < 200; i++) {
        const s =
          i >= 10 && rnd() < misroutedShare ? (wrong[Math.floor(rnd() * wrong.length)] as string) : 'fra';
        served.push(s);
        const region = tick(s, 'ams')[0]?.labels.region as string | undefined;
        const recent = served.slice(-window);
        if (region !== undefined) expect(recent).toContain(region);
        if (named !== undefined && region !== undefined && region !== named)
          expect(recent).not.toContain(named);
        named = region;
      }
    }
  });

  it('classifies a far edge as a catchment misroute', () => {
    const { tick } = setup();
    for (let i = 0; i < 5; i++) tick('fra', 'ams');
    tick('sin', 'sin');
    const [f] = tick('sin', 'sin');
    expect(f?.level).toBe('fire');
    expect(f?.evidence.values.cause).toBe('catchment');
    expect(f?.summary).toMatch(/BGP catchment/);
  });

  it('does not call it a misroute when the nearest region is unhealthy', () => {
    const { tick } = setup();
    for (let i = 0; i < 5; i++) tick('fra', 'ams');
    for (let i = 0; i < 15; i++) expect(tick('sin', 'ams', { pinnedOk: { fra: false } })).toEqual([]);
  });

  it('does not re-judge the outage once the region is back, and fires if it is not re-admitted in time', () => {
    const { tick } = setup();
    for (let i = 0; i < 5; i++) tick('fra', 'ams');
    for (let i = 0; i < 5; i++) tick('sin', 'ams', { pinnedOk: { fra: false } });
    // fra answers again; the edge keeps sending to sin for a while (within recoveryGraceMs, 30 s at 1 s steps).
    for (let i = 0; i < 25; i++) expect(tick('sin', 'ams')).toEqual([]);
    let fired = false;
    for (let i = 0; i < 10 && !fired; i++) fired = tick('sin', 'ams')[0]?.level === 'fire';
    expect(fired).toBe(true);
  });
});

describe('misroute expected region and penalty baseline', { timeout: 60_000 }, () => {
  const demoCtx = testContext({ configuredRegions: () => ['iad', 'fra', 'nrt'] });

  /** The `pnpm demo` case: dfw's edge forwards to nrt while fra's probe has trouble reaching iad. */
  function run(opts: { directPath: 'pinned' | 'private' | null; fraSeesIadFail: boolean }) {
    const s = new StreamBuilder();
    const d = new MisrouteDetector(misroute.defaults, demoCtx);
    let out: ReturnType<MisrouteDetector['evaluate']> = [];
    for (let i = 0; i < 20; i++) {
      const t = T0 + i * 2000;
      for (const probe of ['dfw', 'iad', 'lhr', 'fra'])
        for (const region of ['iad', 'fra', 'nrt'])
          d.observe(
            s.direct('pinned', probe, region, t, {
              // Resets at the probe side in fra: its pinned checks to iad fail, nobody else's do.
              outcome: opts.fraSeesIadFail && probe === 'fra' && region === 'iad' ? 'reset' : 'ok',
              latencyMs: 30,
              protocol: opts.directPath === 'pinned' ? 'http' : 'tcp',
            }),
          );
      if (opts.directPath === 'private') d.observe(s.direct('private', 'dfw', 'iad', t, { latencyMs: 25 }));
      d.observe(s.anycast('dfw', t, 'nrt', 'dfw', 140));
      out = d.evaluate(t + 10);
    }
    return out;
  }

  it('expects the nearest region that most probe regions find healthy (dfw -> iad, not fra)', () => {
    const [f] = run({ directPath: 'pinned', fraSeesIadFail: true });
    expect(f?.labels).toMatchObject({ probe_region: 'dfw', region: 'nrt', path: 'anycast' });
    expect(f?.evidence.values.expected_region).toBe('iad');
    expect(f?.summary).toMatch(/instead of iad/);
    expect(f?.evidence.values.cause).toBe('proxy');
    expect(f?.evidence.values.penalty_baseline).toBe('pinned');
    expect(f?.evidence.values.latency_penalty_ms).toBe(110);
  });

  it('measures the penalty against the private path without pinned, else says why it is unknown', () => {
    const [priv] = run({ directPath: 'private', fraSeesIadFail: false });
    expect(priv?.evidence.values.penalty_baseline).toBe('private');
    expect(priv?.evidence.values.latency_penalty_ms).toBe(115);
    expect(priv?.summary).toMatch(/115 ms slower than private iad/);
    const [none] = run({ directPath: null, fraSeesIadFail: false });
    expect(none?.evidence.values.latency_penalty_ms).toBeNull();
    expect(none?.evidence.values.penalty_unknown_reason).toBe(
      'no recent pinned or private http sample from dfw to iad',
    );
    expect(none?.summary).toMatch(/latency penalty unknown: no recent pinned or private http sample/);
  });
});
