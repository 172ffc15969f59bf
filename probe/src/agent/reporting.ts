import type { Logger, ProbeConfig, ProbeIdentity } from '@flyprobe/shared';
import type { ProbeSettings } from '../config/settings.ts';
import type { ProbeMetrics } from '../health/metrics.ts';
import type { SelfHealth } from '../health/self-health.ts';
import { Reporter } from '../reporter/reporter.ts';
import { Spool } from '../reporter/spool.ts';
import type { UndoStack } from './undo.ts';

export interface ReportingDeps {
  health: SelfHealth;
  metrics: ProbeMetrics;
  batching: () => ProbeConfig['report'];
  log: Logger;
}

/** The reporter (with its spool when a spool dir is set), resending what a previous boot spooled; none without a collector. */
export async function startReporting(
  settings: ProbeSettings,
  identity: ProbeIdentity,
  deps: ReportingDeps,
  undo: UndoStack,
): Promise<Reporter | undefined> {
  if (!settings.collector) return undefined;
  const { metrics, log } = deps;
  let spool: Spool | undefined;
  let recovered: Awaited<ReturnType<typeof Spool.open>>['recovered'] | undefined;
  if (settings.spoolDir) {
    ({ spool, recovered } = await Spool.open(settings.spoolDir, identity, {
      syncMs: settings.reporter.spoolSyncMs,
      onError: (err) => {
        metrics.spoolErrors.inc();
        log('warn', `spool write failed (results stay in memory): ${err.message}`);
      },
    }));
  }
  const reporter = new Reporter({
    probe: identity,
    collector: settings.collector,
    settings: settings.reporter,
    batching: deps.batching,
    heartbeat: () => deps.health.heartbeat(),
    metrics,
    spool,
    log,
  });
  if (recovered) {
    reporter.addRecovered(recovered.results);
    reporter.countLost('spool_error', recovered.unreadable);
    if (recovered.results.length > 0)
      log('info', `resending ${recovered.results.length} result(s) spooled by a previous boot`);
  }
  reporter.start();
  undo.push(() => reporter.stop(performance.now() + 500));
  return reporter;
}
