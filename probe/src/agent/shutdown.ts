import type { RemoteConfig } from '../config/remote.ts';
import type { RunningEcho } from '../echo/server.ts';
import type { SelfHealth } from '../health/self-health.ts';
import type { HealthServer } from '../health/server.ts';
import type { Reporter } from '../reporter/reporter.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import type { Planner } from './planning.ts';

/** Part of the shutdown budget kept for closing servers after the flush. */
const CLOSE_RESERVE_MS = 300;

export interface StoppableParts {
  remote?: RemoteConfig;
  planner: Planner;
  scheduler: Scheduler;
  reporter?: Reporter;
  echo?: RunningEcho;
  healthServer?: HealthServer;
  health: SelfHealth;
}

/**
 * The graceful stop, idempotent: no new config or runs, in-flight checks and streams get a short grace
 * to report, most of `timeoutMs` goes to flushing results, then the servers close.
 */
export function gracefulStop(parts: StoppableParts, timeoutMs: number): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      const deadline = performance.now() + timeoutMs;
      parts.remote?.stop();
      parts.planner.stop();
      await parts.scheduler.stop(Math.min(1_000, timeoutMs / 4));
      await parts.reporter?.stop(deadline - CLOSE_RESERVE_MS);
      await Promise.allSettled([parts.echo?.close(), parts.healthServer?.close()]);
      parts.health.stop();
    })();
    return stopping;
  };
}
