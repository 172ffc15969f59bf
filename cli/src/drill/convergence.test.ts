import { describe, expect, it } from 'vitest';
import { convergence, settledAt } from './convergence.ts';
import { machinesToStop } from './fly-stopper.ts';
import { formatDrillReport } from './report.ts';
import { runDrill } from './runner.ts';
import type { RegionStopper, RouteSample } from './types.ts';

const T = 1_800_000_000_000;

/** One sample per second from `from` to `to` (exclusive) for a probe region, served as `serve(t)` says. */
function series(
  probeRegion: string,
  from: number,
  to: number,
  serve: (t: number) => { servedRegion?: string; outcome?: string; streamEndReason?: string },
  path = 'anycast',
): RouteSample[] {
  const out: RouteSample[] = [];
  for (let t = from; t < to; t += 1000) {
    const s = serve(t);
    out.push({ at: t, probeRegion, path, protocol: 'http', outcome: s.outcome ?? 'ok', ...s });
  }
  return out;
}

// A recorded drill of nrt: stop at T+10 s, start at T+40 s, end at T+70 s.
const times = { stoppedAt: T + 10_000, startedAt: T + 40_000, endedAt: T + 70_000 };
const recorded: RouteSample[] = [
  // nrt's probe: served by nrt (a sample at the stop instant predates it); 3 resets and a stream reset after
  // the stop, then sin; after the start 4 more from sin, a timeout, then nrt again.
  ...series('nrt', T, T + 70_000, (t) => {
    if (t <= T + 10_000) return { servedRegion: 'nrt' };
    if (t <= T + 13_000) return { outcome: 'reset' };
    if (t === T + 14_000) return { servedRegion: 'sin', streamEndReason: 'rst_stream' };
    if (t <= T + 44_000) return { servedRegion: 'sin' };
    if (t === T + 45_000) return { outcome: 'timeout' };
    return { servedRegion: 'nrt' };
  }),
  // syd's probe: served by syd all along, never affected.
  ...series('syd', T, T + 70_000, () => ({ servedRegion: 'syd' })),
  // hkg's probe: nrt before, flaps nrt/sin once (a late route), settles on sin at T+16 s, never comes back.
  ...series('hkg', T, T + 70_000, (t) => {
    if (t <= T + 10_000) return { servedRegion: 'nrt' };
    if (t <= T + 15_000) return { servedRegion: t % 2000 === 0 ? 'sin' : 'nrt' };
    if (t === T + 16_000) return { outcome: 'refused' };
    return { servedRegion: 'sin' };
  }),
];

describe('drill convergence over recorded route samples', () => {
  it('measures time away, errors during the switch and time back per probe region', () => {
    const rows = convergence(recorded, 'nrt', times);
    expect(rows.map((r) => r.probeRegion)).toEqual(['hkg', 'nrt', 'syd']);
    const [hkg, nrt, syd] = rows;
    expect(nrt).toEqual({
      probeRegion: 'nrt',
      path: 'anycast',
      affected: true,
      servedBefore: 'nrt',
      servedDuring: 'sin',
      awayMs: 5000,
      errorsAway: { reset: 3, stream_rst_stream: 1 },
      backMs: 6000,
      errorsBack: { timeout: 1 },
    });
    // Flapping back to the stopped region is not convergence: hkg settles at T+17 s.
    expect(hkg).toMatchObject({ affected: true, awayMs: 7000, errorsAway: { refused: 1 }, backMs: null });
    expect(syd).toMatchObject({
      affected: false,
      servedBefore: 'syd',
      awayMs: 0,
      errorsAway: {},
      backMs: null,
    });
  });

  it('needs a final run of minRun good samples', () => {
    const s = series('ams', T, T + 5000, (t) => ({ servedRegion: t >= T + 3000 ? 'fra' : 'nrt' }));
    const notNrt = (x: RouteSample) => x.servedRegion !== 'nrt';
    expect(settledAt(s, notNrt, 2)).toBe(T + 3000);
    expect(settledAt(s, notNrt, 3)).toBeUndefined();
    expect(settledAt([], notNrt, 1)).toBeUndefined();
  });

  it('says never when a region did not converge, and prints it', () => {
    const stuck = series('nrt', T, T + 71_000, (t) =>
      t < T + 10_000 ? { servedRegion: 'nrt' } : { outcome: 'timeout' },
    );
    const [row] = convergence(stuck, 'nrt', times);
    expect(row).toMatchObject({
      awayMs: null,
      errorsAway: { timeout: 30 },
      backMs: null,
      errorsBack: { timeout: 30 },
    });
    const text = formatDrillReport({ region: 'nrt', times, rows: [row!], timedOut: ['away', 'back'] }, false);
    expect(text).toContain('never');
    expect(text).toContain('30 timeout');
    expect(text).toContain('timed out waiting to converge away');
  });
});

describe('the drill runner', () => {
  it('stops, waits away, starts, waits back, and releases, on a simulated clock', async () => {
    let now = T;
    const calls: string[] = [];
    let stoppedAt = Number.POSITIVE_INFINITY;
    let startedAt = Number.POSITIVE_INFINITY;
    const stopper: RegionStopper = {
      describe: async () => '1 Machine',
      stop: async () => {
        calls.push('stop');
        stoppedAt = now;
      },
      start: async () => {
        calls.push('start');
        startedAt = now;
      },
      release: async () => {
        calls.push('release');
      },
    };
    // The world: nrt's probe is served by nrt, by sin 4 s after a stop, by nrt 2 s after a start.
    const served = (t: number) =>
      t >= startedAt + 2000 ? 'nrt' : t >= stoppedAt + 4000 ? 'sin' : t >= stoppedAt ? undefined : 'nrt';
    const samples = async () =>
      series('nrt', T - 10_000, now + 1, (t) => {
        const r = served(t);
        return r ? { servedRegion: r } : { outcome: 'reset' };
      });
    const report = await runDrill({
      region: 'nrt',
      stopper,
      samples,
      phaseTimeoutMs: 60_000,
      pollMs: 1000,
      minRun: 3,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
      log: () => undefined,
    });
    expect(calls).toEqual(['stop', 'start', 'release']);
    expect(report.timedOut).toEqual([]);
    expect(report.rows[0]).toMatchObject({ awayMs: 4000, errorsAway: { reset: 3 }, backMs: 2000 });
  });

  it('starts the target again and releases when waiting fails', async () => {
    const calls: string[] = [];
    const stopper: RegionStopper = {
      describe: async () => 'x',
      stop: async () => void calls.push('stop'),
      start: async () => void calls.push('start'),
      release: async () => void calls.push('release'),
    };
    await expect(
      runDrill({
        region: 'nrt',
        stopper,
        samples: async () => {
          throw new Error('collector down');
        },
        phaseTimeoutMs: 1000,
        pollMs: 100,
        minRun: 3,
        now: Date.now,
        sleep: async () => undefined,
        log: () => undefined,
      }),
    ).rejects.toThrow('collector down');
    expect(calls).toEqual(['stop', 'start', 'release']);
  });
});

describe('which Machines a drill stops', () => {
  const m = (id: string, region: string, state = 'started') => ({ id, region, state });
  it('stops the running Machines in the region and refuses to take the whole app down unless forced', () => {
    expect(
      machinesToStop([m('a', 'nrt'), m('b', 'nrt'), m('c', 'sin'), m('d', 'nrt', 'stopped')], 'nrt', false),
    ).toEqual(['a', 'b']);
    expect(() => machinesToStop([m('a', 'nrt'), m('c', 'sin', 'stopped')], 'nrt', false)).toThrow(/--force/);
    expect(machinesToStop([m('a', 'nrt')], 'nrt', true)).toEqual(['a']);
    expect(() => machinesToStop([m('c', 'sin')], 'nrt', true)).toThrow(/no running Machine in nrt/);
  });
});
