import type { RegionCode } from '@flyprobe/shared';
import type { ConvergenceRow, DrillTimes, RouteSample } from './types.ts';

/** Stream ends that are not errors: a stream closed as planned. */
const CLEAN_STREAM_ENDS = new Set(['ok', 'cancelled']);

function isError(s: RouteSample): string | undefined {
  if (s.outcome !== 'ok') return s.outcome;
  if (s.streamEndReason && !CLEAN_STREAM_ENDS.has(s.streamEndReason)) return `stream_${s.streamEndReason}`;
  return undefined;
}

/** The region that served most ok samples, or null. */
function mostServed(samples: readonly RouteSample[]): RegionCode | null {
  const counts = new Map<RegionCode, number>();
  for (const s of samples)
    if (s.outcome === 'ok' && s.servedRegion)
      counts.set(s.servedRegion, (counts.get(s.servedRegion) ?? 0) + 1);
  let best: RegionCode | null = null;
  for (const [r, n] of counts) if (best === null || n > (counts.get(best) ?? 0)) best = r;
  return best;
}

/**
 * The start of the final run of samples (in time order) that all satisfy `good`, when that run holds at
 * least `minRun` samples and reaches the last sample; undefined otherwise.
 */
export function settledAt(
  samples: readonly RouteSample[],
  good: (s: RouteSample) => boolean,
  minRun: number,
): number | undefined {
  let i = samples.length;
  while (i > 0 && good(samples[i - 1] as RouteSample)) i--;
  const run = samples.length - i;
  return run >= minRun && run > 0 ? (samples[i] as RouteSample).at : undefined;
}

/** Failed samples in `samples` before `until` (all when undefined), by outcome. */
function errorsIn(samples: readonly RouteSample[], until: number | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (until !== undefined && s.at >= until) break;
    const e = isError(s);
    if (e) out[e] = (out[e] ?? 0) + 1;
  }
  return out;
}

/**
 * Convergence per (probe region, path) from recorded samples: before the stop (baseline), between stop and
 * start (away from `drained`), after the start (back to it). A phase converged at the first sample of its
 * final run of at least `minRun` consecutive ok samples served where it should be.
 */
export function convergence(
  samples: readonly RouteSample[],
  drained: RegionCode,
  times: DrillTimes,
  minRun = 3,
): ConvergenceRow[] {
  const groups = new Map<string, RouteSample[]>();
  for (const s of samples) {
    const k = `${s.probeRegion}|${s.path}`;
    const g = groups.get(k) ?? [];
    g.push(s);
    groups.set(k, g);
  }
  const rows: ConvergenceRow[] = [];
  for (const g of groups.values()) {
    g.sort((a, b) => a.at - b.at);
    const first = g[0] as RouteSample;
    // A sample measured at the very instant of a stop or start predates its effect.
    const before = g.filter((s) => s.at <= times.stoppedAt);
    const during = g.filter((s) => s.at > times.stoppedAt && s.at <= times.startedAt);
    const after = g.filter((s) => s.at > times.startedAt && s.at <= times.endedAt);
    const servedBefore = mostServed(before);
    const affected = servedBefore === drained;
    const awayAt = settledAt(
      during,
      (s) => !isError(s) && s.servedRegion !== undefined && s.servedRegion !== drained,
      minRun,
    );
    const backAt = affected
      ? settledAt(after, (s) => !isError(s) && s.servedRegion === drained, minRun)
      : undefined;
    rows.push({
      probeRegion: first.probeRegion,
      path: first.path,
      affected,
      servedBefore,
      servedDuring: mostServed(awayAt === undefined ? during : during.filter((s) => s.at >= awayAt)),
      // A region served elsewhere from before the stop to the end never had to move.
      awayMs:
        awayAt === undefined
          ? null
          : !affected && awayAt === during[0]?.at
            ? 0
            : Math.max(0, awayAt - times.stoppedAt),
      errorsAway: errorsIn(during, awayAt),
      backMs: backAt === undefined ? null : Math.max(0, backAt - times.startedAt),
      errorsBack: affected ? errorsIn(after, backAt) : {},
    });
  }
  return rows.sort((a, b) => a.probeRegion.localeCompare(b.probeRegion) || a.path.localeCompare(b.path));
}
