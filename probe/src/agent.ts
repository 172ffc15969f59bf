import { lineLogger } from '@flyprobe/shared';
import { bootIdentity } from './agent/identity.ts';
import { createMonitoring } from './agent/monitoring.ts';
import type { LateParts } from './agent/parts.ts';
import { Planner } from './agent/planning.ts';
import { type ConfigHolder, startRemoteConfig } from './agent/remote-config.ts';
import { startReporting } from './agent/reporting.ts';
import { ResultStream } from './agent/results.ts';
import { createScheduler } from './agent/scheduling.ts';
import { echoPorts, startEcho, startHealthEndpoint } from './agent/servers.ts';
import { gracefulStop } from './agent/shutdown.ts';
import { probeStats } from './agent/stats.ts';
import type { RunningProbe, StartProbeOptions } from './agent/types.ts';
import { UndoStack } from './agent/undo.ts';
import { CHECKS } from './checks/index.ts';
import type { ProbeSettings } from './config/settings.ts';

export type { ProbeStats, RunningProbe, StartProbeOptions } from './agent/types.ts';

/**
 * Starts the probe: self-health and metrics, reporter, echo server, /metrics, scheduler, planner,
 * collector config; each step is one module of ./agent. A failed start undoes the steps before it.
 */
export async function startProbe(
  settings: ProbeSettings,
  options: StartProbeOptions = {},
): Promise<RunningProbe> {
  const log = options.log ?? lineLogger('flyprobe probe');
  const identity = bootIdentity(settings.identity);
  const config: ConfigHolder = { current: settings.localConfig };
  const parts: LateParts = {};
  const { health, metrics } = createMonitoring(settings, identity, parts);
  const results = new ResultStream(health, metrics, parts);
  const stats = () => probeStats(results, parts, config.current, health);
  const undo = new UndoStack();
  try {
    health.start();
    undo.push(() => health.stop());
    const batching = () => config.current.report;
    const reporter = await startReporting(settings, identity, { health, metrics, batching, log }, undo);
    parts.reporter = reporter;
    const echo = await startEcho(settings, identity, undo);
    const status = () => ({ probeId: identity.probeId, bootId: identity.bootId, ...stats() });
    const healthServer = await startHealthEndpoint(settings, metrics, status, undo);
    const scheduler = createScheduler(
      settings,
      options.checks ?? CHECKS,
      results,
      metrics,
      health,
      log,
      undo,
    );
    parts.scheduler = scheduler;
    const planner = new Planner({
      identity,
      resolver: settings.resolver,
      scheduler,
      echoPorts: echoPorts(echo, settings.echo),
      config: () => config.current,
      discover: options.discoverRegions,
      log,
    });
    undo.push(() => planner.stop());
    const changed = () => planner.reconfigure();
    const remote = await startRemoteConfig(settings, { config, changed, metrics, log }, undo);
    planner.reconfigure();
    planner.start();
    return {
      identity,
      echo: echo ? { httpPort: echo.httpPort, tcpPort: echo.tcpPort, grpcPort: echo.grpcPort } : undefined,
      metricsPort: healthServer?.port,
      metrics,
      config: () => config.current,
      stats,
      onResult: (listener) => results.subscribe(listener),
      refreshConfig: async () => remote?.pollOnce(),
      stop: gracefulStop(
        { remote, planner, scheduler, reporter, echo, healthServer, health },
        settings.shutdownTimeoutMs,
      ),
    };
  } catch (err) {
    await undo.unwind();
    throw err;
  }
}
