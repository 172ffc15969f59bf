import type { ProbeConfig } from '@flyprobe/shared';
import type { SelfHealth } from '../health/self-health.ts';
import type { LateParts } from './parts.ts';
import type { ResultStream } from './results.ts';
import type { ProbeStats } from './types.ts';

/** The figures `stats()` and `/healthz` show. */
export function probeStats(
  results: ResultStream,
  parts: LateParts,
  config: ProbeConfig,
  health: SelfHealth,
): ProbeStats {
  const { reporter, scheduler } = parts;
  return {
    results: results.produced,
    bufferDepth: reporter?.depth ?? 0,
    bufferBytes: reporter?.bytes ?? 0,
    dropped: reporter?.dropped() ?? {},
    missedRuns: scheduler?.missedRuns ?? 0,
    scheduledChecks: scheduler?.scheduledChecks ?? 0,
    openStreams: scheduler?.openStreams ?? 0,
    configRevision: config.revision,
    degraded: health.isDegraded(),
  };
}
