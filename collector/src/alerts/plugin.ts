import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Heartbeat, jsonLogger, type Logger, type ProbeIdentity } from '@flyprobe/shared';
import { Counter, Gauge, Histogram } from 'prom-client';
import { type CauseSettings, causeSettingsFromEnv, startCauses } from '../causes/index.ts';
import { withCauses } from '../causes/notify.ts';
import type { CollectorPlugin, CollectorPluginFactory, PluginContext } from '../process/plugins.ts';
import type { StoredResult } from '../store/store.ts';
import { alertsApi, alertsContract } from './api.ts';
import { type LeaderWork, startLeaderWork } from './detector-leader.ts';
import { AlertEngine } from './engine.ts';
import { Leadership } from './leadership.ts';
import { AlertmanagerProvider } from './providers/alertmanager/index.ts';
import { SlackProvider } from './providers/slack/index.ts';
import { WebhookProvider } from './providers/webhook/index.ts';
import { receiverSource } from './receivers.ts';
import { type AlertingSettings, alertingSettingsFromEnv } from './settings.ts';
import type { AlertStore } from './types.ts';

/** Name of the detector leader's lease in the `leases` table. */
export const DETECTOR_LEASE = 'detector';

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

function defaultHolder(): string {
  return `${process.env.FLY_MACHINE_ID ?? hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
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
    const metrics = {
      transitions: new Counter({
        name: 'flyprobe_alert_transitions_total',
        help: 'Alert state transitions',
        labelNames: ['rule', 'to'] as const,
        registers: [ctx.registry],
      }),
      notifications: new Counter({
        name: 'flyprobe_alert_notifications_total',
        help: 'Notification delivery attempts by receiver kind and result (delivered, retry, dead, replica_failed)',
        labelNames: ['receiver', 'result'] as const,
        registers: [ctx.registry],
      }),
      open: new Gauge({
        name: 'flyprobe_alerts_open',
        help: 'Pending and firing alerts',
        labelNames: ['rule', 'state'] as const,
        registers: [ctx.registry],
      }),
      evaluation: new Histogram({
        name: 'flyprobe_alert_evaluation_seconds',
        help: 'Time to evaluate every detector and apply the lifecycle',
        buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2],
        registers: [ctx.registry],
      }),
      errors: new Counter({
        name: 'flyprobe_alert_evaluation_errors_total',
        help: 'Failed evaluations (logged)',
        registers: [ctx.registry],
      }),
    };
    const leaderGauge = new Gauge({
      name: 'flyprobe_detector_leader',
      help: '1 while this collector holds the detector lease (runs detection and delivery), else 0',
      registers: [ctx.registry],
    });

    const timeoutMs = settings.deliveryTimeoutMs;
    const alertmanager = new AlertmanagerProvider({
      timeoutMs,
      now,
      firingTtlMs: 4 * settings.delivery.alertmanagerRefreshMs,
      publicUrl: settings.publicUrl,
      tls: settings.alertmanagerTls,
      onEndpointError: (receiver, url, error) => {
        metrics.notifications.inc({ receiver: receiver.kind, result: 'replica_failed' });
        log('warn', 'alertmanager replica failed; another accepted', {
          receiver: receiver.id,
          url,
          error: error.message,
        });
      },
    });
    const providers = withCauses(
      {
        webhook: new WebhookProvider({ timeoutMs, now }),
        slack: new SlackProvider({ timeoutMs }),
        alertmanager,
      },
      causes.registry.annotateForNotification,
      causes.refresh,
    );
    // Acknowledgements on a follower go straight to the store (the leader's copy gains them at its next load).
    const followerEngine = new AlertEngine(alerts, {
      forMs: (rule) => settings.detection[rule].forMs,
      receivers,
    });

    let leader: LeaderWork | undefined;
    const leadership = new Leadership(ctx.store, {
      name: DETECTOR_LEASE,
      holder: options.holder ?? defaultHolder(),
      ttlMs: settings.leaderLeaseMs,
      renewMs: Math.max(200, Math.floor(settings.leaderLeaseMs / 5)),
      onElected: async () => {
        leader = await startLeaderWork({
          store: ctx.store,
          alerts,
          settings,
          meshIntervalMs: ctx.settings.meshIntervalMs,
          receivers,
          providers,
          alertmanager,
          annotate: causes.registry.annotateForNotification,
          metrics,
          now,
          log,
        });
        leaderGauge.set(1);
      },
      onDeposed: async () => {
        leaderGauge.set(0);
        metrics.open.reset();
        const work = leader;
        leader = undefined;
        await work?.stop();
      },
      log,
    });
    await leadership.start();

    return {
      name: 'alerts',
      routes: [
        {
          path: '/',
          app: alertsApi({
            store: alerts,
            get engine() {
              return leader?.engine ?? followerEngine;
            },
            envReceivers: settings.receivers,
            now,
            annotate: causes.registry.annotate,
            onChange: () => leader?.requestEvaluation(),
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
        if (!ctx.store.shared) leader?.observe(results, batch);
      },
      async stop() {
        await leadership.stop();
        await causes.stop();
      },
    };
  };
}
