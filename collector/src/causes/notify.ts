import type { AlertView } from '@flyprobe/shared';
import type { Provider } from '../alerts/providers/provider.ts';

/**
 * Providers that deliver the alert with its causes attached and named in the summary. `refresh` runs before
 * each delivery (the sources throttle it), so a restart notified seconds after an OOM kill already names it.
 * Re-sends of firing alerts (`Provider.refresh`) carry the causes too, without polling first.
 */
export function withCauses<K extends string>(
  providers: Record<K, Provider>,
  annotate: (a: AlertView) => AlertView,
  refresh: () => Promise<void>,
): Record<K, Provider> {
  const out = {} as Record<K, Provider>;
  for (const kind of Object.keys(providers) as K[]) {
    const inner = providers[kind];
    const wrapped: Provider = {
      async deliver(receiver, n) {
        await refresh();
        await inner.deliver(receiver, { ...n, alert: annotate(n.alert) });
      },
    };
    const resend = inner.refresh?.bind(inner);
    if (resend) wrapped.refresh = (receiver, firing) => resend(receiver, firing.map(annotate));
    out[kind] = wrapped;
  }
  return out;
}
