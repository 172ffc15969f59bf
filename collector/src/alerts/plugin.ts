import type { Heartbeat, ProbeIdentity } from '@flyprobe/shared';
import { Counter, Gauge, Histogram } from 'prom-client';
import { jsonLogger } from '../api/log.ts';
import type { CollectorPlugin, CollectorPluginFactory, PluginContext } from '../api/plugins.ts';
import { DetectorRegistry } from '../detect/registry.ts';
import type { Store, StoredResult } from '../store/store.ts';
import { alertsApi, alertsOpenApi } from './api.ts';
import { AlertEngine, alertView } from './engine.ts';
import { DeliveryWorker } from './outbox/worker.ts';
import { AlertmanagerProvider } from './providers/alertmanager/index.ts';
import { SlackProvider } from './providers/slack/index.ts';
import { WebhookProvider } from './providers/webhook/index.ts';
import { receiverSource } from './receivers.ts';
import { type AlertingSettings, alertingSettingsFromEnv } from './settings.ts';
import { SqliteAlertStore } from './sqlite-store.ts';
import type { AlertStore } from './types.ts';
import { warmUp } from './warmup.ts';

const MIN_EVALUATION_GAP_MS = 50;

type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface AlertingOptions {
  /** Defaults to `alertingSettingsFromEnv(process.env)`. */
  settings?: AlertingSettings;
  /** Defaults to the collector's SQLite file (the store must expose `db`). */
  alertStore?: AlertStore;
  now?: () => number;
  log?: Log;
}

type SqliteHandle = ConstructorParameters<typeof SqliteAlertStore>[0];

/** The better-sqlite3 handle of a SqliteStore, or undefined for other stores. */
function sqliteHandle(store: Store): SqliteHandle | undefined {
  const db = (store as Store & { db?: unknown }).db;
  return db && typeof db === 'object' && 'prepare' in db ? (db as SqliteHandle) : undefined;
}

/** The collector plugin: detectors on ingest, the alert lifecycle on a timer, delivery, and the alert routes. */
export function alertingPlugin(options: AlertingOptions = {}): CollectorPluginFactory {
  return async (ctx: PluginContext): Promise<CollectorPlugin> => {
    const settings = options.settings ?? alertingSettingsFromEnv(process.env);
    const now = options.now ?? Date.now;
    const log: Log =
      options.log ??
      ((level, message, fields) => jsonLogger(level, message, { component: 'alerts', ...fields }));
    if (!settings.enabled) return { name: 'alerts' };
    const db = sqliteHandle(ctx.store);
    if (!options.alertStore && !db) {
      log('warn', 'alerting disabled: the store is not SQLite and no AlertStore was given');
      return { name: 'alerts' };
    }
    const store = options.alertStore ?? new SqliteAlertStore(db as SqliteHandle);
    const registry = new DetectorRegistry(settings.detection);
    registry.setTargets((await ctx.store.getTargets()).targets);
    const replayed = await warmUp(ctx.store, registry, settings, now());
    const receivers = receiverSource(store, settings.receivers);
    const engine = new AlertEngine(store, { forMs: (rule) => settings.detection[rule].forMs, receivers });
    await engine.load();

    const m = {
      transitions: new Counter({
        name: 'flyprobe_alert_transitions_total',
        help: 'Alert state transitions',
        labelNames: ['rule', 'to'],
        registers: [ctx.registry],
      }),
      notifications: new Counter({
        name: 'flyprobe_alert_notifications_total',
        help: 'Notification delivery attempts by receiver kind and result (delivered, retry, dead)',
        labelNames: ['receiver', 'result'],
        registers: [ctx.registry],
      }),
      open: new Gauge({
        name: 'flyprobe_alerts_open',
        help: 'Pending and firing alerts',
        labelNames: ['rule', 'state'],
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

    const timeoutMs = settings.deliveryTimeoutMs;
    const alertmanager = new AlertmanagerProvider({
      timeoutMs,
      now,
      firingTtlMs: 4 * settings.delivery.alertmanagerRefreshMs,
      publicUrl: settings.publicUrl,
    });
    const worker = new DeliveryWorker(
      {
        store,
        receivers,
        providers: {
          webhook: new WebhookProvider({ timeoutMs, now }),
          slack: new SlackProvider({ timeoutMs }),
          alertmanager,
        },
        alertmanager,
        firingAlerts: () =>
          engine
            .openAlerts()
            .filter((a) => a.state === 'firing' && a.notified)
            .map(alertView),
        now,
        onResult: (receiver, result) => m.notifications.inc({ receiver, result }),
        log,
      },
      settings.delivery,
    );

    let evaluating: Promise<void> | undefined;
    let pendingEvaluation = false;
    let stopped = false;
    let targetsRefreshedAt = now();
    const evaluate = async () => {
      const end = m.evaluation.startTimer();
      try {
        if (now() - targetsRefreshedAt > 10_000) {
          targetsRefreshedAt = now();
          registry.setTargets((await ctx.store.getTargets()).targets);
        }
        const transitions = await engine.apply(registry.evaluate(now()), now());
        for (const t of transitions) m.transitions.inc({ rule: t.alert.rule, to: t.to });
        if (transitions.some((t) => t.to !== 'pending')) worker.kick();
        m.open.reset();
        for (const a of engine.openAlerts()) m.open.inc({ rule: a.rule, state: a.state });
      } catch (error) {
        m.errors.inc();
        log('error', 'alert evaluation failed', { error: String(error) });
      } finally {
        end();
      }
    };
    /** Evaluations never overlap; a request during one runs right after it. */
    const requestEvaluation = () => {
      if (evaluating) {
        pendingEvaluation = true;
        return;
      }
      evaluating = (async () => {
        do {
          pendingEvaluation = false;
          await evaluate();
          // Under a stream of ingests, evaluate at most every MIN_EVALUATION_GAP_MS.
          if (pendingEvaluation) await new Promise((resolve) => setTimeout(resolve, MIN_EVALUATION_GAP_MS));
        } while (pendingEvaluation && !stopped);
      })().finally(() => {
        evaluating = undefined;
      });
    };
    const timer = setInterval(requestEvaluation, settings.evaluateIntervalMs);
    timer.unref();
    worker.start();
    await store.pruneAlerts(now() - settings.historyMs).catch((error: unknown) => {
      log('warn', 'alert history prune failed', { error: String(error) });
    });
    log('info', 'alerting started', {
      replayedResults: replayed,
      openAlerts: engine.openAlerts().length,
      receivers: (await receivers()).map((r) => r.id),
    });

    return {
      name: 'alerts',
      routes: [
        {
          path: '/',
          app: alertsApi({
            store,
            engine,
            envReceivers: settings.receivers,
            now,
            onChange: () => requestEvaluation(),
          }),
          openapi: alertsOpenApi,
        },
      ],
      onIngest(
        results: StoredResult[],
        batch: { probe: ProbeIdentity; receivedAt: number; heartbeat?: Heartbeat },
      ) {
        registry.observe(results);
        if (batch.heartbeat)
          registry.observeHeartbeat({
            probeId: batch.probe.probeId,
            probeRegion: batch.probe.region,
            heartbeat: batch.heartbeat,
            receivedAt: batch.receivedAt,
          });
        requestEvaluation();
      },
      async stop() {
        stopped = true;
        clearInterval(timer);
        await evaluating;
        await worker.stop();
      },
    };
  };
}
