import type { Logger } from '@flyprobe/shared';
import type { ProbeSettings } from '../config/settings.ts';
import type { ProbeMetrics } from '../health/metrics.ts';
import type { SelfHealth } from '../health/self-health.ts';
import type { CheckRunner } from '../scheduler/runner.ts';
import { Scheduler } from '../scheduler/scheduler.ts';
import type { ResultStream } from './results.ts';
import type { UndoStack } from './undo.ts';

/** The scheduler, empty until the planner applies a plan; its outputs go to `results`. */
export function createScheduler(
  settings: ProbeSettings,
  checks: readonly CheckRunner[],
  results: ResultStream,
  metrics: ProbeMetrics,
  health: SelfHealth,
  log: Logger,
  undo: UndoStack,
): Scheduler {
  const scheduler = new Scheduler({
    checks,
    concurrency: settings.concurrency,
    emit: results.emit,
    onMissedRun: () => metrics.missedRuns.inc(),
    onStreamReopen: () => metrics.streamReopens.inc(),
    onTimerLag: (ms) => health.recordLag(ms),
    log,
  });
  undo.push(() => scheduler.stop(0));
  return scheduler;
}
