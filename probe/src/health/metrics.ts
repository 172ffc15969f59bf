import type { Heartbeat } from '@flyprobe/shared';
import type { CheckOutput } from '../checks/core/check.ts';
import { Counter, Gauge, Histogram, Registry } from './exposition.ts';
import { type LastResult, LastResults, TARGET_PHASES, type TargetLabel } from './target-series.ts';

const P = 'flyprobe_probe_';

/** Live values the gauges read at scrape time. */
export interface MetricSources {
  heartbeat(): Heartbeat;
  checksScheduled(): number;
  streamsOpen(): number;
  breakerOpen(): boolean;
}

/** Checks with per-target series at most (a config with more is refused long before this). */
const MAX_CHECKS = 1000;
/** A check without a result for this long (removed from the config) drops out of the per-target series. */
const CHECK_IDLE_MS = 10 * 60_000;

/**
 * The probe's Prometheus metrics in their own registry (several probes may share a process in tests),
 * written by exposition.ts rather than prom-client, which the probe process does not load.
 * Label sets are bounded: protocol (3) x path (5) x outcome (13), drop reason (5); the per-target series
 * (`flyprobe_probe_success` and friends) have one set per configured check, at most MAX_CHECKS.
 */
export class ProbeMetrics {
  readonly registry: Registry;
  readonly checkDuration: Histogram<'protocol' | 'path' | 'outcome'>;
  readonly results: Counter<'protocol' | 'path' | 'outcome'>;
  readonly dropped: Counter<'reason'>;
  readonly missedRuns: Counter;
  readonly batches: Counter<'result'>;
  readonly configUpdates: Counter<'result'>;
  readonly spoolErrors: Counter;
  readonly streamReopens: Counter;
  private readonly lastResults = new LastResults(MAX_CHECKS, CHECK_IDLE_MS);

  constructor(sources: MetricSources, defaultLabels: Record<string, string> = {}) {
    const registry = new Registry(defaultLabels);
    this.registry = registry;
    this.checkDuration = registry.register(
      new Histogram(
        `${P}check_duration_seconds`,
        'Check latency (latencyMs of ok results, total time of failed ones)',
        ['protocol', 'path', 'outcome'],
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      ),
    );
    this.results = registry.register(
      new Counter(`${P}results_total`, 'Check results produced, by outcome', ['protocol', 'path', 'outcome']),
    );
    this.dropped = registry.register(
      new Counter(`${P}dropped_total`, 'Results dropped before the collector stored them, by reason', [
        'reason',
      ]),
    );
    this.missedRuns = registry.register(
      new Counter(
        `${P}missed_runs_total`,
        'Scheduled runs skipped because the previous run of the same check was still going',
        [],
      ),
    );
    this.batches = registry.register(
      new Counter(`${P}report_batches_total`, 'Ingest requests by result (ok, rejected, retry, auth)', [
        'result',
      ]),
    );
    this.configUpdates = registry.register(
      new Counter(
        `${P}config_updates_total`,
        'Remote config polls by result (applied, unchanged, invalid, error)',
        ['result'],
      ),
    );
    this.spoolErrors = registry.register(
      new Counter(`${P}spool_errors_total`, 'Failed spool writes or unreadable spool records', []),
    );
    this.streamReopens = registry.register(
      new Counter(`${P}stream_reopens_total`, 'Long-lived streams reopened after they ended', []),
    );
    gauge(registry, 'buffer_results', 'Results waiting to be sent', () => sources.heartbeat().bufferDepth);
    gauge(
      registry,
      'buffer_bytes',
      'Serialized bytes waiting to be sent',
      () => sources.heartbeat().bufferBytes,
    );
    gauge(registry, 'checks_scheduled', 'Periodic checks in the schedule', () => sources.checksScheduled());
    gauge(registry, 'streams_open', 'Long-lived streams being held', () => sources.streamsOpen());
    gauge(registry, 'report_circuit_open', '1 while the reporter circuit breaker is open', () =>
      sources.breakerOpen() ? 1 : 0,
    );
    gauge(registry, 'resident_memory_bytes', 'Resident set size', () => process.memoryUsage.rss());
    gauge(registry, 'heap_used_bytes', 'V8 heap in use', () => process.memoryUsage().heapUsed);
    gauge(registry, 'degraded', '1 while the probe considers its own measurements unreliable', () =>
      sources.heartbeat().degraded ? 1 : 0,
    );
    const lag = () => sources.heartbeat().eventLoopDelayMs;
    gauge(
      registry,
      'event_loop_delay_p50_seconds',
      'Event-loop delay p50 in the last health window',
      () => lag().p50 / 1000,
    );
    gauge(
      registry,
      'event_loop_delay_p99_seconds',
      'Event-loop delay p99 in the last health window',
      () => lag().p99 / 1000,
    );
    gauge(
      registry,
      'event_loop_delay_max_seconds',
      'Largest event-loop delay in the last health window',
      () => lag().max / 1000,
    );
    // Same meaning as cAdvisor's container_cpu_cfs_*_total, so throttling dashboards carry over.
    const throttle = () => sources.heartbeat().cpuThrottle;
    counter(
      registry,
      'cpu_periods_total',
      'cgroup CPU enforcement periods elapsed since start',
      () => throttle()?.nrPeriods,
    );
    counter(
      registry,
      'cpu_throttled_periods_total',
      'cgroup CPU periods in which the probe was throttled, since start',
      () => throttle()?.nrThrottled,
    );
    counter(
      registry,
      'cpu_throttled_seconds_total',
      'Time the probe was throttled by its cgroup CPU limit, since start',
      () => {
        const t = throttle();
        return t ? t.throttledUsec / 1e6 : undefined;
      },
    );
    this.targetSeries(registry);
  }

  /** Counts one measurement and records it as its check's last result. */
  observeResult(o: CheckOutput, now = Date.now()): void {
    const ms = o.outcome === 'ok' ? o.latencyMs : o.phases.total;
    const labels = { protocol: o.protocol, path: o.path, outcome: o.outcome };
    this.results.inc(labels);
    if (ms !== undefined) this.checkDuration.observe(labels, ms / 1000);
    this.lastResults.record(o, now);
  }

  /** blackbox_exporter-style series of each check's last result (docs/PROMETHEUS.md maps the names). */
  private targetSeries(registry: Registry): void {
    const last = this.lastResults;
    const labelNames: TargetLabel[] = ['target', 'path', 'protocol', 'target_region'];
    const lastGauge = (name: string, help: string, read: (r: LastResult) => number | undefined): void => {
      const g: Gauge<TargetLabel> = registry.register(
        new Gauge(`${P}${name}`, help, labelNames, () => {
          g.reset();
          for (const r of last.entries(Date.now())) {
            const v = read(r);
            if (v !== undefined) g.set(r.labels, v);
          }
        }),
      );
    };
    lastGauge('success', '1 when the last measurement of the check was ok (blackbox probe_success)', (r) =>
      r.success ? 1 : 0,
    );
    lastGauge(
      'duration_seconds',
      'Total time of the last measurement (blackbox probe_duration_seconds)',
      (r) => r.durationS,
    );
    lastGauge(
      'latency_seconds',
      'Application round trip of the last ok measurement (the matrix figure)',
      (r) => r.latencyS,
    );
    lastGauge(
      'http_status_code',
      'HTTP status of the last measurement (blackbox probe_http_status_code)',
      (r) => r.httpStatus,
    );
    lastGauge(
      'last_result_timestamp_seconds',
      'When the last measurement of the check ended',
      (r) => r.at / 1000,
    );
    const phases: Gauge<TargetLabel | 'phase'> = registry.register(
      new Gauge(
        `${P}phase_duration_seconds`,
        'Phases of the last measurement (blackbox probe_http_duration_seconds)',
        [...labelNames, 'phase'],
        () => {
          phases.reset();
          for (const r of last.entries(Date.now())) {
            for (const phase of TARGET_PHASES) {
              const v = r.phasesS[phase];
              if (v !== undefined) phases.set({ ...r.labels, phase }, v);
            }
          }
        },
      ),
    );
    counter(
      registry,
      'target_series_dropped_total',
      'Results of checks beyond the per-target series limit',
      () => last.dropped,
    );
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: this.registry.metrics() };
  }
}

/** A counter whose value lives elsewhere (cgroup files, other counters): read at scrape time; 0 while undefined. */
function counter(registry: Registry, name: string, help: string, read: () => number | undefined): void {
  const c: Counter = registry.register(
    new Counter(`${P}${name}`, help, [], () => {
      c.reset();
      const v = read();
      if (v !== undefined) c.inc({}, v);
    }),
  );
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  const g: Gauge = registry.register(new Gauge(`${P}${name}`, help, [], () => g.set({}, read())));
}
