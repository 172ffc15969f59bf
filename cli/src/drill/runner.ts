import type { Logger, RegionCode } from '@flyprobe/shared';
import { convergence } from './convergence.ts';
import type { ConvergenceRow, DrillTimes, RegionStopper, RouteSample } from './types.ts';

export interface DrillOptions {
  region: RegionCode;
  stopper: RegionStopper;
  /** Every sample observed so far (the observer accumulates and deduplicates). */
  samples: () => Promise<readonly RouteSample[]>;
  /** Each phase waits at most this long for convergence. */
  phaseTimeoutMs: number;
  pollMs: number;
  /** Consecutive good samples that count as converged. */
  minRun: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  log: Logger;
}

export interface DrillReport {
  region: RegionCode;
  times: DrillTimes;
  rows: ConvergenceRow[];
  /** Phases that ended by timeout rather than convergence. */
  timedOut: Array<'away' | 'back'>;
}

/** Polls until `done(rows)` or the phase timeout; true when done. */
async function waitFor(
  o: DrillOptions,
  times: () => DrillTimes,
  done: (rows: ConvergenceRow[]) => boolean,
): Promise<boolean> {
  const deadline = o.now() + o.phaseTimeoutMs;
  for (;;) {
    await o.sleep(o.pollMs);
    const rows = convergence(await o.samples(), o.region, times(), o.minRun);
    if (rows.length > 0 && done(rows)) return true;
    if (o.now() >= deadline) return false;
  }
}

/**
 * The failover drill: stop the region's target, wait until every probe region is served elsewhere, start it
 * again, wait until the probe regions it served come back, and compute convergence from what was observed.
 * The stopper is released whatever happens; a failure after the stop still tries to start the target.
 */
export async function runDrill(o: DrillOptions): Promise<DrillReport> {
  const timedOut: DrillReport['timedOut'] = [];
  let stoppedAt = 0;
  let startedAt = Number.POSITIVE_INFINITY;
  let started = false;
  try {
    o.log('info', `stopping the target in ${o.region}: ${await o.stopper.describe()}`);
    stoppedAt = o.now();
    await o.stopper.stop();
    o.log('info', `stopped; waiting for every probe region to be served elsewhere`);
    const away = await waitFor(
      o,
      () => ({ stoppedAt, startedAt: Number.POSITIVE_INFINITY, endedAt: o.now() }),
      (rows) => rows.every((r) => r.awayMs !== null),
    );
    if (!away) timedOut.push('away');
    o.log(
      'info',
      away
        ? 'converged away; starting the target again'
        : 'timed out converging away; starting the target again',
    );
    startedAt = o.now();
    await o.stopper.start();
    started = true;
    const back = await waitFor(
      o,
      () => ({ stoppedAt, startedAt, endedAt: o.now() }),
      (rows) => rows.every((r) => !r.affected || r.backMs !== null),
    );
    if (!back) timedOut.push('back');
    o.log('info', back ? 'traffic is back' : 'timed out waiting for traffic to return');
  } finally {
    if (stoppedAt > 0 && !started)
      await o.stopper.start().catch((e: unknown) => o.log('error', `restart failed: ${String(e)}`));
    await o.stopper.release();
  }
  const times = { stoppedAt, startedAt, endedAt: o.now() };
  return {
    region: o.region,
    times,
    rows: convergence(await o.samples(), o.region, times, o.minRun),
    timedOut,
  };
}
