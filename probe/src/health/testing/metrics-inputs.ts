import type { Heartbeat } from '@flyprobe/shared';
import type { CheckOutput } from '../../checks/core/check.ts';

/** A heartbeat with CPU throttling and event-loop delay figures the metrics tests look for. */
export const heartbeat: Heartbeat = {
  at: 1_700_000_000_000,
  uptimeS: 10,
  rssBytes: 1,
  heapUsedBytes: 1,
  eventLoopDelayMs: { p50: 1, p99: 12, max: 40 },
  cpuThrottle: { nrPeriods: 200, nrThrottled: 30, throttledUsec: 1_500_000 },
  bufferDepth: 0,
  bufferBytes: 0,
  dropped: {},
  missedRuns: 0,
  degraded: false,
};

/** An ok pinned HTTP result from iad to fra, fields replaced by `over`. */
export const output = (over: Partial<CheckOutput>): CheckOutput => ({
  target: 'web',
  path: 'pinned',
  protocol: 'http',
  targetRegion: 'fra',
  startedAt: 1_700_000_000_000,
  phases: { dns: 2, connect: 30, ttfb: 60, transfer: 1, total: 95 },
  outcome: 'ok',
  latencyMs: 60,
  httpStatus: 200,
  ...over,
});
