import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@flyprobe/shared';
import type { LeaseStore } from '../store/store.ts';
import type { LeaderWork } from './detector-leader.ts';
import { Leadership } from './leadership.ts';
import type { AlertingMetrics } from './metrics.ts';

/** Name of the detector leader's lease in the `leases` table. */
export const DETECTOR_LEASE = 'detector';

/** This collector's name in the lease: FLY_MACHINE_ID or the host name, the pid and a random suffix. */
export function defaultHolder(): string {
  return `${process.env.FLY_MACHINE_ID ?? hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
}

export interface LeaderRole {
  /** The leader's work while this collector leads, else undefined. */
  readonly work: LeaderWork | undefined;
  stop(): Promise<void>;
}

/**
 * Competes for the detector lease; while held, runs `start()`'s work (detection and delivery) and stops it at
 * once when the lease is lost. Resolves after the first attempt, so a lone collector leads from the start.
 */
export async function startLeaderRole(deps: {
  store: LeaseStore;
  holder?: string;
  leaseMs: number;
  metrics: Pick<AlertingMetrics, 'leader' | 'open'>;
  log: Logger;
  start: () => Promise<LeaderWork>;
}): Promise<LeaderRole> {
  let work: LeaderWork | undefined;
  const leadership = new Leadership(deps.store, {
    name: DETECTOR_LEASE,
    holder: deps.holder ?? defaultHolder(),
    ttlMs: deps.leaseMs,
    renewMs: Math.max(200, Math.floor(deps.leaseMs / 5)),
    onElected: async () => {
      work = await deps.start();
      deps.metrics.leader.set(1);
    },
    onDeposed: async () => {
      deps.metrics.leader.set(0);
      deps.metrics.open.reset();
      const stopping = work;
      work = undefined;
      await stopping?.stop();
    },
    log: deps.log,
  });
  await leadership.start();
  return {
    get work() {
      return work;
    },
    stop: () => leadership.stop(),
  };
}
