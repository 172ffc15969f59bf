import { describe, expect, it } from 'vitest';
import type { StoredResult } from '../../store/store.ts';
import { prng, StreamBuilder, T0, testContext } from '../testing/streams.ts';
import type { Finding } from '../types.ts';
import { ResetsDetector } from './detector.ts';
import { resets } from './index.ts';

const ROWS = ['ams', 'iad', 'sin', 'syd'];
const COLS = ['ams', 'iad', 'sin'];
const PROTOCOLS = ['http', 'tcp', 'grpc'] as const;
const STEP = 2000;

type FailFn = (row: string, col: string, path: string, protocol: string) => boolean;

/**
 * Every probe region measures every target region over the private and pinned paths with three protocols,
 * and anycast served by its nearest target region; one interval per tick.
 */
function setup(seed = 1) {
  const s = new StreamBuilder();
  const d = new ResetsDetector(resets.defaults, testContext());
  const rnd = prng(seed);
  let t = T0;
  const tick = (fails: FailFn = () => false): Finding[] => {
    t += STEP;
    for (const row of ROWS) {
      const results: StoredResult[] = [];
      for (const path of ['private', 'pinned'] as const)
        for (const col of COLS)
          for (const protocol of PROTOCOLS)
            results.push(
              s.result({
                probeRegion: row,
                path,
                protocol,
                targetRegion: col,
                startedAt: t,
                outcome: fails(row, col, path, protocol) ? 'reset' : 'ok',
              }),
            );
      const served = row === 'syd' ? 'sin' : row;
      for (const protocol of PROTOCOLS) {
        const failed = fails(row, served, 'anycast', protocol);
        results.push(
          s.result({
            probeRegion: row,
            path: 'anycast',
            protocol,
            startedAt: t,
            outcome: failed ? 'refused' : 'ok',
            servedRegion: failed ? undefined : served,
          }),
        );
      }
      for (const r of results) d.observe(r);
    }
    return d.evaluate(t + 1);
  };
  return { tick, rnd };
}

const firing = (f: Finding[]) => f.filter((x) => x.level === 'fire');

/** Runs `fails` until something fires (at most `max` ticks); returns the tick count and the findings. */
function untilFire(tick: (f: FailFn) => Finding[], fails: FailFn, max = 60) {
  for (let i = 1; i <= max; i++) {
    const f = tick(fails);
    if (firing(f).length > 0) return { ticks: i, findings: f };
  }
  return { ticks: Number.POSITIVE_INFINITY, findings: [] as Finding[] };
}

describe('resets detector', { timeout: 60_000 }, () => {
  it('stays quiet over 500 clean intervals with stray failures', () => {
    const { tick, rnd } = setup();
    for (let i = 0; i < 500; i++) expect(firing(tick(() => rnd() < 0.002))).toEqual([]);
  });

  it('finds a single pair failing 15% of its connections, on its own path, as a pair', () => {
    const { tick, rnd } = setup(2);
    for (let i = 0; i < 30; i++) tick();
    const { ticks, findings } = untilFire(
      tick,
      (row, col, path) => row === 'iad' && col === 'sin' && path === 'private' && rnd() < 0.15,
    );
    expect(ticks).toBeLessThan(40);
    expect(findings.map((f) => f.labels)).toEqual([
      {
        target: 'web',
        path: 'private',
        kind: 'connection',
        scope: 'pair',
        probe_region: 'iad',
        region: 'sin',
      },
    ]);
    const [f] = findings;
    expect(f?.scope).toBe('local');
    expect(f?.summary).toMatch(/from probes in iad to the target in sin/);
    expect(f?.summary).toMatch(/only this region pair/);
    expect(f?.summary).not.toMatch(/\(\)/);
    // The clean comparison never names the affected regions.
    expect(String(f?.evidence.values.clean_probe_regions).split(',')).not.toContain('iad');
    expect(String(f?.evidence.values.clean_target_regions).split(',')).not.toContain('sin');
  });

  it('fires within one interval for a pair failing every connection, and clears within 5 after', () => {
    const { tick } = setup(3);
    for (let i = 0; i < 30; i++) tick();
    const fails: FailFn = (row, col, path) => row === 'ams' && col === 'iad' && path === 'private';
    const { ticks } = untilFire(tick, fails);
    expect(ticks).toBe(1);
    for (let i = 0; i < 10; i++) tick(fails);
    let cleared = Number.POSITIVE_INFINITY;
    for (let i = 1; i <= 10 && cleared > 10; i++) if (tick().length === 0) cleared = i;
    expect(cleared).toBeLessThanOrEqual(5);
  });

  it('rolls a failing probe region up to its row, and a failing target region to its column', () => {
    const row = setup(4);
    for (let i = 0; i < 30; i++) row.tick();
    let r = untilFire(row.tick, (rr, _c, path) => rr === 'sin' && path === 'private');
    for (let i = 0; i < 3; i++) r.findings = row.tick((rr, _c, path) => rr === 'sin' && path === 'private');
    expect(r.findings.map((f) => f.labels)).toEqual([
      { target: 'web', path: 'private', kind: 'connection', scope: 'probe_region', probe_region: 'sin' },
    ]);
    expect(r.findings[0]?.evidence.values.clean_probe_regions).toBe('ams,iad,syd');

    const col = setup(5);
    for (let i = 0; i < 30; i++) col.tick();
    const fails: FailFn = (_r, c, path) => c === 'iad' && path === 'pinned';
    r = untilFire(col.tick, fails);
    for (let i = 0; i < 3; i++) r.findings = col.tick(fails);
    expect(r.findings.map((f) => f.labels)).toEqual([
      { target: 'web', path: 'pinned', kind: 'connection', scope: 'target_region', region: 'iad' },
    ]);
    expect(r.findings[0]?.summary).toMatch(/to the target in iad from every probe region/);
  });

  it('calls every cell failing global, and a one-cell anycast row follows its row on the other paths', () => {
    const g = setup(6);
    for (let i = 0; i < 30; i++) g.tick();
    let r = untilFire(g.tick, () => true);
    r.findings = g.tick(() => true);
    expect(r.findings.map((f) => [f.labels.path, f.labels.scope, f.scope])).toEqual([
      ['private', 'global', 'global'],
      ['pinned', 'global', 'global'],
      ['anycast', 'global', 'global'],
    ]);

    const a = setup(7);
    for (let i = 0; i < 30; i++) a.tick();
    // Resets at the probe side towards the anycast address: anycast and pinned both go there.
    const fails: FailFn = (row, _c, path) => row === 'ams' && path !== 'private';
    r = untilFire(a.tick, fails);
    for (let i = 0; i < 2; i++) r.findings = a.tick(fails);
    expect(r.findings.map((f) => [f.labels.path, f.labels.scope, f.labels.probe_region])).toEqual([
      ['pinned', 'probe_region', 'ams'],
      ['anycast', 'probe_region', 'ams'],
    ]);
  });

  it('learns a cell that always fails a little and does not alert on it', () => {
    const { tick, rnd } = setup(8);
    const chronic: FailFn = (row, col, path) =>
      row === 'syd' && col === 'ams' && path === 'private' && rnd() < 0.02;
    for (let i = 0; i < 400; i++) tick(chronic);
    for (let i = 0; i < 300; i++) expect(firing(tick(chronic))).toEqual([]);
  });

  it('counts gRPC stream ends by cause; terminations fire, clean ends and stalls do not', () => {
    const s = new StreamBuilder();
    const d = new ResetsDetector(resets.defaults, testContext());
    const stream = (
      at: number,
      event: 'sample' | 'end',
      endReason?: 'goaway' | 'ok' | 'rst_stream' | 'stall',
    ) =>
      s.result({
        probeRegion: 'ams',
        path: 'private',
        protocol: 'grpc',
        targetRegion: 'fra',
        startedAt: at,
        outcome: endReason === 'goaway' || endReason === 'rst_stream' ? 'reset' : 'ok',
        stream: {
          streamId: `s${at}`,
          event,
          openedAt: T0,
          lifetimeMs: at - T0,
          ticks: 3,
          maxGapMs: 1000,
          endReason,
        },
      });
    let t = T0;
    const next = () => {
      t += 2000;
      return t;
    };
    for (let i = 0; i < 60; i++) d.observe(stream(next(), 'sample'));
    d.observe(stream(next(), 'end', 'ok'));
    d.observe(stream(next(), 'end', 'stall'));
    expect(d.evaluate(t)).toEqual([]);
    d.observe(stream(next(), 'end', 'goaway'));
    d.observe(stream(next(), 'sample'));
    d.observe(stream(next(), 'end', 'rst_stream'));
    d.observe(stream(next(), 'end', 'goaway'));
    const [f] = d.evaluate(t);
    expect(f?.labels).toEqual({
      target: 'web',
      path: 'private',
      kind: 'stream',
      scope: 'pair',
      protocol: 'grpc',
      probe_region: 'ams',
      region: 'fra',
    });
    expect(f?.evidence.values.count_stream_goaway).toBe(2);
    expect(f?.evidence.values.stream_end_rst_stream).toBe(1);
    expect(f?.evidence.values.stream_end_ok).toBe(1);
    expect(f?.evidence.values.stream_end_stall).toBe(1);
    expect(f?.summary).toMatch(/gRPC streams/);
  });
});
