import type { RegionCode } from '@flyprobe/shared';

/** One observed measurement, as the collector's results API returns it (the fields the drill reads). */
export interface RouteSample {
  at: number;
  probeRegion: RegionCode;
  path: string;
  protocol: string;
  outcome: string;
  servedRegion?: RegionCode;
  /** Set for a gRPC stream's `end` result. */
  streamEndReason?: string;
}

/** Takes a region's target out of service and back: the Fly Machines API, or a lab fault. */
export interface RegionStopper {
  /** What will be stopped, for the confirmation line ("2 Machines: 148e..., 3d8d..."). */
  describe(): Promise<string>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Releases anything held (leases); runs even when the drill fails. */
  release(): Promise<void>;
}

/** Per probe region and path: how routing converged away from the drained region and back. */
export interface ConvergenceRow {
  probeRegion: RegionCode;
  path: string;
  /** Served by the drained region before the stop (only then is "back" expected). */
  affected: boolean;
  servedBefore: RegionCode | null;
  servedDuring: RegionCode | null;
  /** ms from the stop to the first sample of the final run served elsewhere; null: never converged. */
  awayMs: number | null;
  /** Failed samples between the stop and convergence, by outcome (stream ends by reason under `stream_<reason>`). */
  errorsAway: Record<string, number>;
  /** ms from the start to the first sample of the final run served by the drained region again; null: never (or not affected). */
  backMs: number | null;
  errorsBack: Record<string, number>;
}

export interface DrillTimes {
  stoppedAt: number;
  startedAt: number;
  endedAt: number;
}
