import type { ApiDeps } from '../api/deps.ts';

/** Retention in the background: never overlapping runs, failures logged and counted, never blocking ingest. */
export function startRetention(deps: Pick<ApiDeps, 'store' | 'settings' | 'metrics' | 'log' | 'now'>): {
  stop(): Promise<void>;
} {
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    running = (async () => {
      try {
        const policy = { rawMs: deps.settings.rawRetentionMs, rollupMs: deps.settings.rollupRetentionMs };
        const pruned = await deps.store.prune(deps.now(), policy);
        deps.metrics.retentionPruned.inc({ kind: 'raw' }, pruned.raw);
        deps.metrics.retentionPruned.inc({ kind: 'rollup' }, pruned.rollups);
      } catch (err) {
        deps.metrics.retentionErrors.inc();
        deps.log('error', 'retention run failed', { error: String(err) });
      } finally {
        running = undefined;
      }
    })();
  };
  const timer = setInterval(run, deps.settings.retentionIntervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
