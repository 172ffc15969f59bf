import type { Heartbeat, ProbeIdentity } from '@flyprobe/shared';
import type { StoredResult } from '../store/store.ts';
import type { ApiDeps } from './deps.ts';

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
