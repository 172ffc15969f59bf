import { z } from 'zod';
import { count, durationMs, epochMs, MAX_UPTIME_S, numberTypeError, plainText } from './common.ts';

export const DROP_REASONS = ['buffer_full', 'buffer_bytes', 'rejected', 'spool_error', 'shutdown'] as const;

/** Probe self-health, sent with every batch. */
export const heartbeat = z.strictObject({
  at: epochMs,
  uptimeS: z
    .number({ error: numberTypeError })
    .nonnegative({ message: 'must not be negative' })
    .max(MAX_UPTIME_S, { message: `must be at most ${MAX_UPTIME_S}` }),
  rssBytes: count,
  heapUsedBytes: count,
  eventLoopDelayMs: z.strictObject({ p50: durationMs, p99: durationMs, max: durationMs }),
  /** cgroup cpu.stat since start, when readable. */
  cpuThrottle: z.strictObject({ nrPeriods: count, nrThrottled: count, throttledUsec: count }).optional(),
  bufferDepth: count,
  bufferBytes: count,
  /** Cumulative results dropped since boot, by reason. */
  dropped: z.partialRecord(z.enum(DROP_REASONS), count),
  /** Runs skipped because the previous run of the same check was still going. */
  missedRuns: count,
  degraded: z.boolean(),
  degradedReason: plainText(256).optional(),
});
export type Heartbeat = z.infer<typeof heartbeat>;
