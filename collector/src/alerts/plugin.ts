import { type Heartbeat, jsonLogger, type Logger, type ProbeIdentity } from '@flyprobe/shared';
import { type CauseSettings, causeSettingsFromEnv, startCauses } from '../causes/index.ts';
import type { CollectorPlugin, CollectorPluginFactory, PluginContext } from '../process/plugins.ts';
import type { StoredResult } from '../store/store.ts';
import { alertsApi, alertsContract } from './api.ts';
import { deliveryProviders } from './delivery.ts';
import { startLeaderWork } from './detector-leader.ts';
import { alertEngine } from './engine.ts';
import { startLeaderRole } from './leader-role.ts';
import { alertingMetrics } from './metrics.ts';
import { receiverSource } from './receivers.ts';
import { type AlertingSettings, alertingSettingsFromEnv } from './settings.ts';
import type { AlertStore } from './types.ts';

export interface AlertingOptions {
  /** Defaults to `alertingSettingsFromEnv(process.env)`. */
  settings?: AlertingSettings;
  /** Defaults to the collector store's own (`store.alerts`). */
  alertStore?: AlertStore;
  /** This collector's name in the leader lease; defaults to FLY_MACHINE_ID or the host name, plus a random suffix. */
  holder?: string;
  /** Cause sources (Machine events, status page, pressure); defaults to `causeSettingsFromEnv(process.env)`. */
  causes?: CauseSettings;
  now?: () => number;
  log?: Logger;
}

/**
 * The collector plugin: detectors, the alert lifecycle, delivery and the alert routes. Every collector serves
 * the routes; detection and delivery run on the holder of the detector lease only (always this collector on
 * SQLite), so collectors sharing a PostgreSQL store notify once.
 */
export function alertingPlugin(options: AlertingOptions = {}): CollectorPluginFactory {
  return async (ctx: PluginContext): Promise<CollectorPlugin> => {
    const settings = options.settings ?? alertingSettingsFromEnv(process.env);
    const now = options.now ?? Date.now;
    const log: Logger =
      options.log ??
      ((level, message, fields) => jsonLogger(level, message, { component: 'alerts', ...fields }));
    if (!settings.enabled) return { name: 'alerts' };
    const alerts = options.alertStore ?? ctx.store.alerts;
    const receivers = receiverSource(alerts, settings.receivers);
    // Every collector keeps its own cause sources: each serves alerts and, as leader, notifies them.
    const causes = startCauses(options.causes ?? causeSettingsFromEnv(process.env), {
      metrics: ctx.registry,
      log,
      now,
    });
    const metrics = alertingMetrics(ctx.registry);
    const providers = deliveryProviders({ settings, causes, metrics, now, log });
    // Acknowledgements on a follower go straight to the store (the leader's copy gains them at its next load).
    const followerEngine = alertEngine(alerts, settings, receivers);
    const leader = await startLeaderRole({
      store: ctx.store,
      ...(options.holder ? { holder: options.holder } : {}),
      leaseMs: settings.leaderLeaseMs,
      metrics,
      log,
      start: () =>
        startLeaderWork({
          store: ctx.store,
          alerts,
          settings,
          meshIntervalMs: ctx.settings.meshIntervalMs,
          receivers,
          providers,
          metrics,
          now,
          log,
        }),
    });

    return {
      name: 'alerts',
      routes: [
        {
          path: '/',
          app: alertsApi({
            store: alerts,
            get engine() {
              return leader.work?.engine ?? followerEngine;
            },
            envReceivers: settings.receivers,
            now,
            annotate: causes.registry.annotate,
            onChange: () => leader.work?.requestEvaluation(),
          }),
          contract: Object.values(alertsContract),
        },
      ],
      onIngest(
        results: StoredResult[],
        batch: { probe: ProbeIdentity; receivedAt: number; heartbeat?: Heartbeat },
      ) {
        causes.registry.observe(results, batch);
        // On a shared store the leader reads every collector's results from the feed instead.
        if (!ctx.store.shared) leader.work?.observe(results, batch);
      },
      async stop() {
        await leader.stop();
        await causes.stop();
      },
    };
  };
}
