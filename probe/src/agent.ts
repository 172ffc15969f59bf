import { randomUUID } from 'node:crypto';
import type { ProbeConfig, ProbeIdentity, ProbeResult } from '@flyprobe/shared';
import type { CheckOutput } from './checks/core/check.ts';
import { discoverRegions, grpcStreamCheck, grpcUnaryCheck, httpCheck, tcpCheck } from './checks/index.ts';
import { effectiveConfig, type PollResult, RemoteConfig } from './config/remote.ts';
import type { ProbeSettings } from './config/settings.ts';
import { type RunningEcho, startEchoServer } from './echo/server.ts';
import { ProbeMetrics } from './health/metrics.ts';
import { SelfHealth } from './health/self-health.ts';
import { type HealthServer, startHealthServer } from './health/server.ts';
import { type DropReason, Reporter } from './reporter/reporter.ts';
import { Spool } from './reporter/spool.ts';
import { buildPlan } from './scheduler/build-plan.ts';
import type { CheckSet } from './scheduler/check-set.ts';
import { type DiscoverRegions, RegionDiscovery } from './scheduler/region-discovery.ts';
import { Scheduler } from './scheduler/scheduler.ts';

export interface StartProbeOptions {
  /** Check implementations (defaults: the http, tcp and gRPC checks of ./checks). */
  checks?: CheckSet;
  /** TXT-based region discovery (default: ./checks discoverRegions). */
  discoverRegions?: DiscoverRegions;
  /** One line per event worth an operator's attention (default: stderr). */
  log?: (message: string) => void;
}

export interface ProbeStats {
  /** Results produced by this boot (the next sequence number). */
  results: number;
  bufferDepth: number;
  bufferBytes: number;
  dropped: Partial<Record<DropReason, number>>;
  missedRuns: number;
  scheduledChecks: number;
  openStreams: number;
  configRevision: string;
  degraded: boolean;
}

export interface RunningProbe {
  identity: ProbeIdentity;
  /** Bound ports of the echo server (absent when disabled). */
  echo?: { httpPort: number; tcpPort: number; grpcPort: number };
  /** Bound port of /metrics and /healthz (absent when disabled). */
  metricsPort?: number;
  metrics: ProbeMetrics;
  /** The config being run (collector's merged with the local file's). */
  config(): ProbeConfig;
  stats(): ProbeStats;
  /** Every stamped result as it is produced; returns an unsubscribe function. */
  onResult(listener: (result: ProbeResult) => void): () => void;
  /** Polls the collector's config now (no-op without a collector). */
  refreshConfig(): Promise<PollResult | undefined>;
  /** Graceful: stop scheduling, end streams, flush within shutdownTimeoutMs, close servers. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_CHECKS: CheckSet = {
  http: httpCheck,
  tcp: tcpCheck,
  grpc: grpcUnaryCheck,
  grpcStream: grpcStreamCheck,
};
const REGION_REFRESH_MS = 60_000;
/** Part of the shutdown budget kept for closing servers after the flush. */
const CLOSE_RESERVE_MS = 300;

/** Starts the probe: echo server, metrics server, config (local + remote), scheduler, reporter. */
export async function startProbe(
  settings: ProbeSettings,
  options: StartProbeOptions = {},
): Promise<RunningProbe> {
  const log = options.log ?? ((m: string) => process.stderr.write(`flyprobe probe: ${m}\n`));
  const identity: ProbeIdentity = {
    probeId: settings.identity.probeId,
    region: settings.identity.region,
    machineId: settings.identity.machineId,
    app: settings.identity.app,
    bootId: randomUUID(),
    version: settings.identity.version,
    imageRef: settings.identity.imageRef,
    echoAddress: settings.identity.echoAddress,
  };
  const cleanup: (() => Promise<void> | void)[] = [];
  const listeners = new Set<(r: ProbeResult) => void>();
  let reporter: Reporter | undefined;
  let scheduler: Scheduler | undefined;
  let localSeq = 0;
  let current = settings.localConfig;

  const health = new SelfHealth(
    {
      windowMs: settings.healthWindowMs,
      degradedLagMs: settings.degradedLagMs,
      degradedThrottleRatio: settings.degradedThrottleRatio,
    },
    {
      bufferDepth: () => reporter?.depth ?? 0,
      bufferBytes: () => reporter?.bytes ?? 0,
      dropped: () => reporter?.dropped() ?? {},
      missedRuns: () => scheduler?.missedRuns ?? 0,
    },
  );
  const metrics = new ProbeMetrics(
    {
      heartbeat: () => health.heartbeat(),
      checksScheduled: () => scheduler?.scheduledChecks ?? 0,
      streamsOpen: () => scheduler?.openStreams ?? 0,
      breakerOpen: () => reporter?.breakerOpen ?? false,
    },
    // Not `region`: Fly's scraper attaches its own `region` (and `app`, `instance`) to every series.
    { probe: identity.probeId, probe_region: identity.region },
  );

  const emit = (output: CheckOutput): void => {
    if (health.isDegraded()) output.degraded = true;
    metrics.observeResult(output);
    const result = reporter ? reporter.add(output) : { seq: localSeq++, ...output };
    for (const listener of listeners) listener(result);
  };

  try {
    health.start();
    cleanup.push(() => health.stop());

    if (settings.collector) {
      let spool: Spool | undefined;
      let recovered: Awaited<ReturnType<typeof Spool.open>>['recovered'] | undefined;
      if (settings.spoolDir) {
        ({ spool, recovered } = await Spool.open(settings.spoolDir, identity, {
          syncMs: settings.reporter.spoolSyncMs,
          onError: (err) => {
            metrics.spoolErrors.inc();
            log(`spool write failed (results stay in memory): ${err.message}`);
          },
        }));
      }
      reporter = new Reporter({
        probe: identity,
        collector: settings.collector,
        settings: settings.reporter,
        batching: () => current.report,
        heartbeat: () => health.heartbeat(),
        metrics,
        spool,
        log,
      });
      if (recovered) {
        reporter.addRecovered(recovered.results);
        reporter.countLost('spool_error', recovered.unreadable);
        if (recovered.results.length > 0)
          log(`resending ${recovered.results.length} result(s) spooled by a previous boot`);
      }
      reporter.start();
      const r = reporter;
      cleanup.push(() => r.stop(performance.now() + 500));
    }

    let echo: RunningEcho | undefined;
    if (settings.echo.enabled) {
      echo = await startEchoServer({
        identity: {
          region: identity.region,
          machineId: identity.machineId,
          app: identity.app,
          startedAt: Math.round(Date.now() - process.uptime() * 1000),
          imageRef: identity.imageRef,
        },
        host: settings.bind,
        httpPort: settings.echo.httpPort,
        tcpPort: settings.echo.tcpPort,
        grpcPort: settings.echo.grpcPort,
      });
      const e = echo;
      cleanup.push(() => e.close());
    }

    let healthServer: HealthServer | undefined;
    if (settings.metricsPort >= 0) {
      healthServer = await startHealthServer(
        metrics,
        () => ({ probeId: identity.probeId, bootId: identity.bootId, ...stats() }),
        settings.bind,
        settings.metricsPort,
      );
      const h = healthServer;
      cleanup.push(() => h.close());
    }

    const sched = new Scheduler({
      checks: options.checks ?? DEFAULT_CHECKS,
      concurrency: settings.concurrency,
      emit,
      onMissedRun: () => metrics.missedRuns.inc(),
      onStreamReopen: () => metrics.streamReopens.inc(),
      log,
    });
    scheduler = sched;
    cleanup.push(() => sched.stop(0));

    const echoPorts = {
      tcp: echo?.tcpPort ?? settings.echo.tcpPort,
      grpc: echo?.grpcPort ?? settings.echo.grpcPort,
    };
    let lastWarnings = '';
    const replan = (): void => {
      const plan = buildPlan(current, {
        self: { probeId: identity.probeId, region: identity.region },
        resolver: settings.resolver,
        discoveredRegions: discovery.known,
        echoPorts,
      });
      const warnings = plan.warnings.join('\n');
      if (warnings && warnings !== lastWarnings) for (const w of plan.warnings) log(`config: ${w}`);
      lastWarnings = warnings;
      const applied = sched.apply(plan);
      if (applied.added + applied.removed > 0) {
        log(
          `config ${current.revision}: ${sched.scheduledChecks} checks (+${applied.added} -${applied.removed})`,
        );
      }
    };
    const discovery = new RegionDiscovery(
      options.discoverRegions ?? ((app, resolver) => discoverRegions(app, resolver)),
      settings.resolver,
      REGION_REFRESH_MS,
      replan,
      log,
    );
    cleanup.push(() => discovery.stop());
    const reconfigure = (): void => {
      void discovery.track(current);
      replan();
    };

    let remote: RemoteConfig | undefined;
    if (settings.collector) {
      const rc = new RemoteConfig({
        collector: settings.collector,
        apply: (config) => {
          current = effectiveConfig(settings.localConfig, config);
          reconfigure();
        },
        pollMs: () => current.configPollMs,
        cacheDir: settings.spoolDir,
        onPoll: (result) => metrics.configUpdates.inc({ result }),
        log,
      });
      remote = rc;
      cleanup.push(() => rc.stop());
      const cached = await rc.loadCached();
      if (cached) current = effectiveConfig(settings.localConfig, cached);
      await rc.pollOnce();
      rc.start();
    }
    reconfigure();
    discovery.start();

    function stats(): ProbeStats {
      return {
        results: reporter?.nextSeq ?? localSeq,
        bufferDepth: reporter?.depth ?? 0,
        bufferBytes: reporter?.bytes ?? 0,
        dropped: reporter?.dropped() ?? {},
        missedRuns: sched.missedRuns,
        scheduledChecks: sched.scheduledChecks,
        openStreams: sched.openStreams,
        configRevision: current.revision,
        degraded: health.isDegraded(),
      };
    }

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        const deadline = performance.now() + settings.shutdownTimeoutMs;
        remote?.stop();
        discovery.stop();
        // In-flight checks and streams get a short grace to report; most of the budget is for the flush.
        await sched.stop(Math.min(1_000, settings.shutdownTimeoutMs / 4));
        await reporter?.stop(deadline - CLOSE_RESERVE_MS);
        await Promise.allSettled([echo?.close(), healthServer?.close()]);
        health.stop();
      })();
      return stopping;
    };

    return {
      identity,
      echo: echo ? { httpPort: echo.httpPort, tcpPort: echo.tcpPort, grpcPort: echo.grpcPort } : undefined,
      metricsPort: healthServer?.port,
      metrics,
      config: () => current,
      stats,
      onResult(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      refreshConfig: async () => remote?.pollOnce(),
      stop,
    };
  } catch (err) {
    for (const undo of cleanup.reverse()) await Promise.resolve(undo()).catch(() => undefined);
    throw err;
  }
}
