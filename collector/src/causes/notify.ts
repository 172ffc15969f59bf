import type { AlertView } from '@flyprobe/shared';
import type { Notification, Provider } from '../alerts/providers/provider.ts';
import type { Receiver } from '../alerts/types.ts';

/**
 * Providers that deliver the alert with its causes attached and named in the summary. `refresh` runs before
 * each delivery (the sources throttle it), so a restart notified seconds after an OOM kill already names it.
 */
export function withCauses<K extends string>(
  providers: Record<K, Provider>,
  annotate: (a: AlertView) => AlertView,
  refresh: () => Promise<void>,
): Record<K, Provider> {
  const out = {} as Record<K, Provider>;
  for (const kind of Object.keys(providers) as K[]) {
    const inner = providers[kind];
    out[kind] = {
      async deliver(receiver: Receiver, n: Notification) {
        await refresh();
        await inner.deliver(receiver, { ...n, alert: annotate(n.alert) });
      },
    };
  }
  return out;
}
