import { type Heartbeat, heartbeat, type Logger, type ProbeIdentity, parseWith } from '@flyprobe/shared';
import { DetectorRegistry } from '../detect/registry.ts';
import type { FeedCursor, Store, StoredResult } from '../store/store.ts';
import { type AlertEngine, alertEngine, alertView } from './engine.ts';
import type { AlertingMetrics } from './metrics.ts';
import { DeliveryWorker } from './outbox/worker.ts';
import type { Provider } from './providers/provider.ts';
import type { AlertingSettings } from './settings.ts';
import type { AlertStore, Receiver, ReceiverKind } from './types.ts';
import { warmUp } from './warmup.ts';

const MIN_EVALUATION_GAP_MS = 50;
/** Results read from the feed per poll; more are read at the next poll without waiting. */
const FEED_PAGE = 5000;

export interface LeaderDeps {
  store: Store;
  alerts: AlertStore;
  settings: AlertingSettings;
  /** The mesh interval served to probes: mesh rule durations are counted in it. */
  meshIntervalMs: number;
  receivers: () => Promise<Receiver[]>;
  providers: Record<ReceiverKind, Provider>;
  metrics: AlertingMetrics;
  now: () => number;
  log: Logger;
}

/** What the detector leader runs; built when a collector is elected, stopped when it steps down. */
export interface LeaderWork {
  engine: AlertEngine;
  /** Results this collector just stored (the only source on a store no other collector writes). */
  observe(
    results: StoredResult[],
    batch: { probe: ProbeIdentity; receivedAt: number; heartbeat?: Heartbeat },
  ): void;
  /** Evaluate now (a silence ended, a receiver was added). */
  requestEvaluation(): void;
  stop(): Promise<void>;
}

/**
 * Becomes the detector leader: detector windows rebuilt from stored results (as after a restart), open
 * alerts loaded from the store (so a takeover continues an alert instead of opening a second one), the
 * outbox drained from where the previous leader stopped, and, on a shared store, every collector's results
 * followed through `resultsAfter` in commit order.
 */
export async function startLeaderWork(deps: LeaderDeps): Promise<LeaderWork> {
  const { store, settings, metrics: m, now, log } = deps;
  const registry = new DetectorRegistry(settings.detection);
  registry.setTargets((await store.getTargets()).targets);
  registry.setMeshInterval(deps.meshIntervalMs);
  // Cursor first, warm-up second: a result stored in between is in both, and `seen` drops the second copy.
  let cursor: FeedCursor | null = store.shared ? (await store.resultsAfter(null, 0)).cursor : null;
  const seen = new Set<number>();
  const replayed = await warmUp(store, registry, settings, now(), seen);
  const engine = alertEngine(deps.alerts, settings, deps.receivers);
  await engine.load();
  const worker = new DeliveryWorker(
    {
      store: deps.alerts,
      receivers: deps.receivers,
      providers: deps.providers,
      firingAlerts: () =>
        engine
          .openAlerts()
          .filter((a) => a.state === 'firing' && a.notified)
          .map((a) => alertView(a)),
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
        registry.setTargets((await store.getTargets()).targets);
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
    if (stopped) return;
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

  // Shared store: follow every collector's commits, and probes' heartbeats through the registry table.
  const lastSeen = new Map<string, number>();
  if (store.shared) for (const p of await store.listProbes()) lastSeen.set(p.probeId, p.lastSeen);
  let following: Promise<void> | undefined;
  const follow = async () => {
    try {
      for (let page = 0; page < 20 && !stopped && cursor !== null; page++) {
        const next = await store.resultsAfter(cursor, FEED_PAGE);
        cursor = next.cursor;
        const fresh = seen.size > 0 ? next.results.filter((r) => !seen.delete(r.id)) : next.results;
        if (fresh.length > 0) registry.observe(fresh);
        if (next.results.length < FEED_PAGE) break;
      }
      for (const p of await store.listProbes()) {
        if (p.lastSeen <= (lastSeen.get(p.probeId) ?? 0)) continue;
        lastSeen.set(p.probeId, p.lastSeen);
        const hb = parseWith(heartbeat, p.health);
        if (hb.ok)
          registry.observeHeartbeat({
            probeId: p.probeId,
            probeRegion: p.region,
            heartbeat: hb.value,
            receivedAt: p.lastSeen,
          });
      }
      requestEvaluation();
    } catch (error) {
      m.errors.inc();
      log('error', 'results feed read failed', { error: String(error) });
    }
  };
  const feedTimer = store.shared
    ? setInterval(() => {
        following ??= follow().finally(() => {
          following = undefined;
        });
      }, settings.feedPollMs)
    : undefined;
  feedTimer?.unref();
  const timer = setInterval(requestEvaluation, settings.evaluateIntervalMs);
  timer.unref();
  worker.start();
  await deps.alerts.pruneAlerts(now() - settings.historyMs).catch((error: unknown) => {
    log('warn', 'alert history prune failed', { error: String(error) });
  });
  log('info', 'alerting started', {
    replayedResults: replayed,
    openAlerts: engine.openAlerts().length,
    receivers: (await deps.receivers()).map((r) => r.id),
    sharedStore: store.shared,
  });

  return {
    engine,
    requestEvaluation,
    observe(results, batch) {
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
      if (feedTimer) clearInterval(feedTimer);
      await following;
      await evaluating;
      await worker.stop();
    },
  };
}
