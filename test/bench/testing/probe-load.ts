/**
 * Other work in the measuring process, as a deployed probe has it: the probe's own Scheduler running
 * `checks` http and tcp checks (alternating) against a loopback echo server in the same process (a probe
 * serves its echo in-process too), each on its jittered schedule every `intervalMs`.
 */
import { CHECKS } from '../../../probe/src/checks/index.ts';
import { startLoopbackEcho } from '../../../probe/src/echo/testing/loopback-echo.ts';
import type { PlannedCheck } from '../../../probe/src/scheduler/plan.ts';
import { Scheduler } from '../../../probe/src/scheduler/scheduler.ts';

export interface LoadCounts {
  results: number;
  failed: number;
  missed: number;
}

export interface ProbeLoad {
  /** Since the start, updated as results come in. */
  readonly counts: Readonly<LoadCounts>;
  /** Stops the schedule (runs in flight finish) and the echo server, once. */
  stop(): Promise<void>;
}

export async function startProbeLoad(checks: number, intervalMs: number): Promise<ProbeLoad> {
  const echo = await startLoopbackEcho({ region: 'iad', machineId: 'timing-load', startedAt: Date.now() });
  const counts: LoadCounts = { results: 0, failed: 0, missed: 0 };
  const scheduler = new Scheduler({
    checks: CHECKS,
    concurrency: 64,
    emit: (o) => {
      counts.results++;
      if (o.outcome !== 'ok') counts.failed++;
    },
    onMissedRun: () => counts.missed++,
  });
  const planned = Array.from({ length: checks }, (_, i): PlannedCheck => {
    const protocol = i % 2 === 0 ? ('http' as const) : ('tcp' as const);
    const port = protocol === 'http' ? echo.httpPort : echo.tcpPort;
    const spec = {
      protocol,
      target: `load${i}`,
      path: 'anycast' as const,
      host: '127.0.0.1',
      port,
      timeoutMs: 2000,
    };
    return { key: `${protocol}|load${i}`, fingerprint: `${protocol}|load${i}`, spec, intervalMs };
  });
  scheduler.apply({ checks: planned, streams: [], warnings: [] });
  let stopped: Promise<void> | undefined;
  return {
    counts,
    stop() {
      stopped ??= scheduler.stop(2_000).then(() => echo.close());
      return stopped;
    },
  };
}
