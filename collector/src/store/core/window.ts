/** Rollup granularity a read uses for a window, and the window widened to whole buckets of it. */
export interface RollupWindow {
  stepMs: 60_000 | 3_600_000;
  from: number;
  to: number;
}

/** Windows at least this long are read from hourly rollups (widening adds at most two hours, < 17%). */
export const HOURLY_WINDOW_MS = 12 * 3_600_000;

/**
 * The window a matrix is computed over: bucket starts in [from, to), widened outward to whole buckets.
 * Hourly rollups keep a 24 h matrix at ~25 rows per cell instead of 1,440.
 */
export function rollupWindow(from: number, to: number): RollupWindow {
  const stepMs = to - from >= HOURLY_WINDOW_MS ? 3_600_000 : 60_000;
  return { stepMs, from: Math.floor(from / stepMs) * stepMs, to: Math.ceil(to / stepMs) * stepMs };
}
