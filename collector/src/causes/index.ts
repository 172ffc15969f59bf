import type { Logger } from '@flyprobe/shared';
import { Counter, Gauge, type Registry } from 'prom-client';
import { Poller } from './poller.ts';
import { CauseRegistry } from './registry.ts';
import type { CauseSettings } from './settings.ts';
import { createSources } from './sources.ts';

/** A refresh before a notification polls at most this often. */
const REFRESH_GAP_MS = 5000;

export interface Causes {
  registry: CauseRegistry;
  /** Polls every polled source once. */
  pollNow(): Promise<void>;
  /** pollNow, at most once per REFRESH_GAP_MS (before notifications). */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the configured sources and starts their pollers; metrics go to `metrics`. */
export function startCauses(
  settings: CauseSettings,
  deps: { metrics: Registry; log: Logger; now: () => number },
): Causes {
  const sources = createSources(settings, {
    timeoutMs: settings.timeoutMs,
    retentionMs: settings.retentionMs,
    now: deps.now,
  });
  const metrics = {
    failures: new Counter({
      name: 'flyprobe_cause_source_failures_total',
      help: 'Failed polls of a cause source (status page, Machines API), by source',
      labelNames: ['source'] as const,
      registers: [deps.metrics],
    }),
    lookupErrors: new Counter({
      name: 'flyprobe_cause_lookup_errors_total',
      help: 'Cause lookups that failed (a bug; logged), by source',
      labelNames: ['source'] as const,
      registers: [deps.metrics],
    }),
    up: new Gauge({
      name: 'flyprobe_cause_source_up',
      help: '1 when the last poll of a cause source succeeded, else 0',
      labelNames: ['source'] as const,
      registers: [deps.metrics],
    }),
  };
  const pollers = sources.flatMap((s) =>
    s.poll && s.pollIntervalMs
      ? [
          new Poller({
            source: s.name,
            intervalMs: s.pollIntervalMs,
            poll: () => s.poll?.() ?? Promise.resolve(),
            metrics,
            log: deps.log,
          }),
        ]
      : [],
  );
  for (const p of pollers) p.start();
  const pollNow = async () => {
    await Promise.all(pollers.map((p) => p.once()));
  };
  let refreshedAt = Number.NEGATIVE_INFINITY;
  return {
    registry: new CauseRegistry(sources, {
      now: deps.now,
      lookbackMs: settings.lookbackMs,
      onError: (source, error) => {
        metrics.lookupErrors.inc({ source });
        deps.log('error', 'cause lookup failed', { source, error: String(error) });
      },
    }),
    pollNow,
    refresh: async () => {
      if (pollers.length === 0 || deps.now() - refreshedAt < REFRESH_GAP_MS) return;
      refreshedAt = deps.now();
      await pollNow();
    },
    stop: async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    },
  };
}

export { type CauseSettings, causeSettingsFromEnv } from './settings.ts';
export type { CauseItem, CauseQuery, CauseSource } from './types.ts';
