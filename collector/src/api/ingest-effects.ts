import type { Heartbeat, ProbeIdentity } from '@flyprobe/shared';
import type { CollectorMetrics } from '../metrics.ts';
import type { StoredResult } from '../store/store.ts';
import type { ApiDeps } from './deps.ts';

/** Counts stored results by measurement outcome and feeds the per-cell series. */
export function recordMeasurements(metrics: CollectorMetrics, inserted: StoredResult[], now: number): void {
  const byOutcome = new Map<string, number>();
  for (const r of inserted) {
    byOutcome.set(r.outcome, (byOutcome.get(r.outcome) ?? 0) + 1);
    metrics.observeResult(r, now);
  }
  for (const [outcome, n] of byOutcome) metrics.measurements.inc({ outcome }, n);
}

/**
 * Hands newly stored results to every plugin's ingest listener without delaying the probe's answer.
 * The work is tracked so a graceful stop waits for it; a failing listener is logged and counted.
 */
export function notifyIngestListeners(
  deps: Pick<ApiDeps, 'plugins' | 'lifecycle' | 'metrics' | 'log'>,
  inserted: StoredResult[],
  batch: { probe: ProbeIdentity; receivedAt: number; heartbeat?: Heartbeat },
): void {
  for (const plugin of deps.plugins) {
    const listener = plugin.onIngest;
    if (!listener) continue;
    const work = (async () => listener(inserted, batch))().catch((err: unknown) => {
      deps.metrics.listenerErrors.inc({ plugin: plugin.name });
      deps.log('error', 'ingest listener failed', { plugin: plugin.name, error: String(err) });
    });
    deps.lifecycle.track(work);
  }
}
