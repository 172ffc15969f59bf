import pLimit from 'p-limit';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckOutput } from '../checks/core/check.ts';
import { until } from '../reporter/testing/fixtures.ts';
import { PeriodicCheck } from './periodic-check.ts';
import type { CheckPlan, PlannedCheck } from './plan.ts';
import { Scheduler } from './scheduler.ts';
import { DelayServer, LoopbackCheck, LoopbackStreamCheck } from './testing/loopback-check.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function delayServer(): Promise<DelayServer> {
  const s = await DelayServer.start();
  cleanups.push(() => s.close());
  return s;
}

function planned(target: string, intervalMs: number, timeoutMs: number, port = 1): PlannedCheck {
  const spec = {
    protocol: 'tcp' as const,
    target,
    path: 'anycast' as const,
    host: '127.0.0.1',
    port,
    timeoutMs,
  };
  return { key: `tcp|${target}`, fingerprint: JSON.stringify([spec, intervalMs]), spec, intervalMs };
}

/** A plan of one stream to the delay server, rotated after `maxLifetimeMs`. */
function streamPlan(key: string, port: number, maxLifetimeMs: number): CheckPlan {
  const spec = {
    protocol: 'grpc' as const,
    target: 'web',
    path: 'anycast' as const,
    host: '127.0.0.1',
    port,
    timeoutMs: 1_000,
  };
  return { checks: [], streams: [{ key, fingerprint: key, spec, maxLifetimeMs }], warnings: [] };
}

function plan(...checks: PlannedCheck[]): CheckPlan {
  return { checks, streams: [], warnings: [] };
}

function scheduler(
  check: LoopbackCheck | undefined,
  concurrency: number,
  outputs: CheckOutput[],
  stream?: LoopbackStreamCheck,
) {
  const s = new Scheduler({
    checks: [check, stream].filter((c) => c !== undefined),
    concurrency,
    emit: (o) => outputs.push(o),
  });
  cleanups.push(() => s.stop(0));
  return s;
}

describe('scheduler', () => {
  it('never overlaps a check with itself and counts the skipped runs as missed', async () => {
    const server = await delayServer();
    const check = new LoopbackCheck(server.port, { delayMs: () => 500 });
    const outputs: CheckOutput[] = [];
    const s = scheduler(check, 10, outputs);
    s.apply(plan(planned('slow', 100, 5_000)));
    await until(() => outputs.length >= 3, 20_000, 'three runs');
    expect(check.maxActivePerTarget).toBe(1);
    expect(s.missedRuns).toBeGreaterThan(0);
    expect(outputs.every((o) => o.outcome === 'ok')).toBe(true);
  });

  it('enforces the global concurrency cap', async () => {
    const server = await delayServer();
    const check = new LoopbackCheck(server.port, { delayMs: () => 100 });
    const outputs: CheckOutput[] = [];
    const s = scheduler(check, 2, outputs);
    s.apply(plan(...Array.from({ length: 8 }, (_, i) => planned(`t${i}`, 200, 5_000))));
    await until(() => outputs.length >= 16, 20_000, 'sixteen runs');
    expect(check.maxActive).toBe(2);
  });

  it('aborts a check at its timeout through the AbortSignal', async () => {
    const server = await delayServer();
    const check = new LoopbackCheck(server.port, { delayMs: () => 60_000 });
    const outputs: CheckOutput[] = [];
    const s = scheduler(check, 4, outputs);
    s.apply(plan(planned('dead', 1_000, 150)));
    await until(() => outputs.length >= 1, 20_000, 'a timed-out run');
    expect(outputs[0]?.outcome).toBe('timeout');
    expect(check.aborted).toContain('dead');
  });

  it('keeps other checks on schedule when a check hangs and ignores its signal', async () => {
    const server = await delayServer();
    const check = new LoopbackCheck(server.port, {
      delayMs: (spec) => (spec.target === 'hung' ? 60_000 : 0),
      ignoreAbort: (spec) => spec.target === 'hung',
    });
    const outputs: CheckOutput[] = [];
    // One slot: if the hung check kept it, nothing else could run.
    const s = scheduler(check, 1, outputs);
    s.apply(plan(planned('hung', 300, 100), planned('fast', 100, 1_000)));
    await until(() => outputs.filter((o) => o.target === 'fast').length >= 10, 30_000, 'fast runs');
    const hung = outputs.filter((o) => o.target === 'hung');
    expect(hung.length).toBeGreaterThanOrEqual(1);
    expect(hung[0]).toMatchObject({ outcome: 'timeout', errorMessage: 'check ignored its time limit' });
    expect(check.maxActivePerTarget).toBe(1);
  });

  it('reconfigures live: keeps unchanged checks, starts new ones, stops removed ones', async () => {
    const server = await delayServer();
    const check = new LoopbackCheck(server.port, { delayMs: () => 0 });
    const outputs: CheckOutput[] = [];
    const s = scheduler(check, 4, outputs);
    expect(s.apply(plan(planned('a', 100, 1_000), planned('b', 100, 1_000)))).toEqual({
      added: 2,
      removed: 0,
      kept: 0,
    });
    await until(() => outputs.some((o) => o.target === 'b'), 20_000, 'b runs');
    expect(s.apply(plan(planned('a', 100, 1_000), planned('c', 100, 1_000)))).toEqual({
      added: 1,
      removed: 1,
      kept: 1,
    });
    await until(() => outputs.some((o) => o.target === 'c'), 20_000, 'c runs');
    const bCount = outputs.filter((o) => o.target === 'b').length;
    const aCount = outputs.filter((o) => o.target === 'a').length;
    await until(() => outputs.filter((o) => o.target === 'a').length >= aCount + 3, 20_000, 'more a runs');
    // b may finish the run it had in flight, nothing more.
    expect(outputs.filter((o) => o.target === 'b').length).toBeLessThanOrEqual(bCount + 1);
    expect(s.scheduledChecks).toBe(2);
    // A changed spec (new interval) restarts the check.
    expect(s.apply(plan(planned('a', 200, 1_000), planned('c', 100, 1_000)))).toEqual({
      added: 1,
      removed: 1,
      kept: 1,
    });
  });

  it('reports how late each run timer fired (event-loop lag for self-health)', async () => {
    const server = await delayServer();
    const lags: number[] = [];
    const s = new Scheduler({
      checks: [new LoopbackCheck(server.port, { delayMs: () => 0 })],
      concurrency: 4,
      emit: () => undefined,
      onTimerLag: (ms) => lags.push(ms),
    });
    cleanups.push(() => s.stop(0));
    s.apply(plan(planned('a', 100, 1_000, server.port)));
    await until(() => lags.length >= 2, 20_000, 'two runs');
    // A run falls due within the first 110 ms (interval plus jitter) of the block: its timer fires >= 290 ms late.
    const end = performance.now() + 400;
    while (performance.now() < end) {
      // deliberately blocking, bounded
    }
    const before = lags.length;
    await until(() => lags.length > before, 20_000, 'the run after the block');
    expect(Math.max(...lags.slice(before))).toBeGreaterThan(250);
  });

  it('spreads first runs over the interval and jitters later ones', async () => {
    const fired: number[] = [];
    const limit = pLimit(100);
    const runners = Array.from(
      { length: 20 },
      (_, i) =>
        new PeriodicCheck(planned(`j${i}`, 10_000, 1_000), {
          limit,
          run: async () => ({}) as CheckOutput,
          emit: () => undefined,
          missed: () => undefined,
          random: Math.random,
        }),
    );
    for (const r of runners) fired.push(r.start());
    cleanups.push(() => Promise.all(runners.map((r) => r.stop(0))).then(() => undefined));
    expect(fired.every((d) => d >= 0 && d < 10_000)).toBe(true);
    expect(new Set(fired.map((d) => Math.floor(d / 1000))).size).toBeGreaterThanOrEqual(5);
  });

  it('holds streams open, reopens them when they end, and ends them on stop', async () => {
    const server = await delayServer();
    const stream = new LoopbackStreamCheck(server.port, 50);
    const outputs: CheckOutput[] = [];
    const s = scheduler(undefined, 4, outputs, stream);
    s.apply(streamPlan('stream|web', server.port, 60_000));
    await until(() => stream.opens >= 3, 30_000, 'three opens');
    const stopped = new LoopbackStreamCheck(server.port, 60_000);
    const s2 = scheduler(undefined, 4, outputs, stopped);
    s2.apply(streamPlan('stream|web2', server.port, 60_000));
    await until(() => s2.openStreams === 1, 20_000, 'stream open');
    await s2.stop(5_000);
    expect(outputs.at(-1)?.stream?.endReason).toBe('cancelled');
    expect(stopped.opens).toBe(1);
  });

  it('rotates a stream at its maximum lifetime', async () => {
    const server = await delayServer();
    const stream = new LoopbackStreamCheck(server.port, 60_000);
    const outputs: CheckOutput[] = [];
    const s = scheduler(undefined, 4, outputs, stream);
    s.apply(streamPlan('stream|web', server.port, 100));
    await until(() => stream.opens >= 3, 30_000, 'rotations');
    expect(outputs.filter((o) => o.stream?.event === 'end').length).toBeGreaterThanOrEqual(2);
  });
});
