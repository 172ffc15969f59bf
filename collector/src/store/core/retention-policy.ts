import type { RetentionPolicy } from '../store.ts';

export const DEFAULT_MINUTE_ROLLUP_MS = 7 * 24 * 3_600_000;

/** The policy's three ages, checked (a RangeError names the bad field). */
export function retentionAges(policy: RetentionPolicy): { rawMs: number; minuteMs: number; hourMs: number } {
  checkMs('rawMs', policy.rawMs);
  checkMs('rollupMs', policy.rollupMs);
  const minuteMs = policy.minuteRollupMs ?? Math.min(policy.rollupMs, DEFAULT_MINUTE_ROLLUP_MS);
  checkMs('minuteRollupMs', minuteMs);
  return { rawMs: policy.rawMs, minuteMs, hourMs: policy.rollupMs };
}

function checkMs(field: string, ms: number): void {
  if (!Number.isFinite(ms) || ms <= 0)
    throw new RangeError(`${field}: must be a positive number of milliseconds`);
}
