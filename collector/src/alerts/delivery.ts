import type { Logger } from '@flyprobe/shared';
import type { Causes } from '../causes/index.ts';
import { withCauses } from '../causes/notify.ts';
import type { AlertingMetrics } from './metrics.ts';
import { createProviders, type Providers } from './providers/index.ts';
import type { AlertingSettings } from './settings.ts';

/**
 * Every registered provider, built once per collector, sending each alert with its causes. A replica that
 * failed while another accepted is counted (`replica_failed`) and logged, not retried.
 */
export function deliveryProviders(deps: {
  settings: AlertingSettings;
  causes: Causes;
  metrics: AlertingMetrics;
  now: () => number;
  log: Logger;
}): Providers {
  const providers = createProviders({
    settings: deps.settings,
    now: deps.now,
    onEndpointError: (receiver, url, error) => {
      deps.metrics.notifications.inc({ receiver: receiver.kind, result: 'replica_failed' });
      deps.log('warn', `${receiver.kind} replica failed; another accepted`, {
        receiver: receiver.id,
        url,
        error: error.message,
      });
    },
  });
  return withCauses(providers, deps.causes.registry.annotateForNotification, deps.causes.refresh);
}
