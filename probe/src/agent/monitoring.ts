import type { ProbeIdentity } from '@flyprobe/shared';
import type { ProbeSettings } from '../config/settings.ts';
import { ProbeMetrics } from '../health/metrics.ts';
import { SelfHealth } from '../health/self-health.ts';
import type { LateParts } from './parts.ts';

/** Self-health (event-loop lag, throttling) and the Prometheus metrics, reading the parts as they start. */
export function createMonitoring(
  settings: ProbeSettings,
  identity: ProbeIdentity,
  parts: LateParts,
): { health: SelfHealth; metrics: ProbeMetrics } {
  const health = new SelfHealth(
    {
      windowMs: settings.healthWindowMs,
      degradedLagMs: settings.degradedLagMs,
      degradedThrottleRatio: settings.degradedThrottleRatio,
    },
    {
      bufferDepth: () => parts.reporter?.depth ?? 0,
      bufferBytes: () => parts.reporter?.bytes ?? 0,
      dropped: () => parts.reporter?.dropped() ?? {},
      missedRuns: () => parts.scheduler?.missedRuns ?? 0,
    },
  );
  const metrics = new ProbeMetrics(
    {
      heartbeat: () => health.heartbeat(),
      checksScheduled: () => parts.scheduler?.scheduledChecks ?? 0,
      streamsOpen: () => parts.scheduler?.openStreams ?? 0,
      breakerOpen: () => parts.reporter?.breakerOpen ?? false,
    },
    // Not `region`: Fly's scraper attaches its own `region` (and `app`, `instance`) to every series.
    { probe: identity.probeId, probe_region: identity.region },
  );
  return { health, metrics };
}
