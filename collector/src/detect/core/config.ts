import { z } from 'zod';
import { SEVERITIES, type Severity } from './severity.ts';

/** Building blocks of the detectors' config schemas. */
export const ms = z.number().finite().nonnegative();
export const positiveInt = z.number().int().min(1);
export const ratio = z.number().finite().min(0).max(1);

/**
 * Fields every rule has. `forMs`: how long a finding must keep firing before a pending alert turns firing.
 * Durations are in probe intervals of the target (or mesh) being judged, so one default fits 2 s and 15 s
 * probing alike; the `...Ms` twin of a field, when set, overrides it with a fixed time.
 */
export function baseFields(severity: Severity, staleIntervals: number) {
  return {
    enabled: z.boolean().default(true),
    severity: z.enum(SEVERITIES).default(severity),
    forMs: ms.default(0),
    /** A key with no new samples for this many intervals (or `staleMs`) is forgotten (and its alert resolves). */
    staleIntervals: positiveInt.max(1_000_000).default(staleIntervals),
    staleMs: ms.min(1).optional(),
  };
}

/** The fields of `baseFields` as parsed. */
export type BaseConfig = z.output<z.ZodObject<ReturnType<typeof baseFields>>>;

/** `ms` when set, else `intervals` probe intervals of `intervalMs`. */
export function inIntervals(intervals: number, ms: number | undefined, intervalMs: number): number {
  return ms ?? intervals * intervalMs;
}

/** A rule's stale time for a key of `target` (without one: the longest configured interval). */
export function staleFor(
  config: { staleIntervals: number; staleMs?: number | undefined },
  ctx: { intervalMs(target?: string): number },
): (key: { target?: string }) => number {
  return (key) => inIntervals(config.staleIntervals, config.staleMs, ctx.intervalMs(key.target));
}
