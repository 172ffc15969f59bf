import type { Heartbeat } from '@flyprobe/shared';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

const P = 'flyprobe_probe_';

/** Live values the gauges read at scrape time. */
export interface MetricSources {
  heartbeat(): Heartbeat;
  checksScheduled(): number;
  streamsOpen(): number;
  breakerOpen(): boolean;
}

/**
 * The probe's Prometheus metrics in their own registry (several probes may share a process in tests).
 * Label sets are bounded: protocol (3) x path (4) x outcome (13), drop reason (5), never target names.
 */
export class ProbeMetrics {
  readonly registry = new Registry();
  readonly checkDuration: Histogram<'protocol' | 'path' | 'outcome'>;
  readonly results: Counter<'protocol' | 'path' | 'outcome'>;
  readonly dropped: Counter<'reason'>;
  readonly missedRuns: Counter;
  readonly batches: Counter<'result'>;
  readonly configUpdates: Counter<'result'>;
  readonly spoolErrors: Counter;
  readonly streamReopens: Counter;

  constructor(sources: MetricSources, defaultLabels: Record<string, string> = {}) {
    const registers = [this.registry];
    this.registry.setDefaultLabels(defaultLabels);
    this.checkDuration = new Histogram({
      name: `${P}check_duration_seconds`,
      help: 'Check latency (latencyMs of ok results, total time of failed ones)',
      labelNames: ['protocol', 'path', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.results = new Counter({
      name: `${P}results_total`,
      help: 'Check results produced, by outcome',
      labelNames: ['protocol', 'path', 'outcome'],
      registers,
    });
    this.dropped = new Counter({
      name: `${P}dropped_total`,
      help: 'Results dropped before the collector stored them, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.missedRuns = new Counter({
      name: `${P}missed_runs_total`,
      help: 'Scheduled runs skipped because the previous run of the same check was still going',
      registers,
    });
    this.batches = new Counter({
      name: `${P}report_batches_total`,
      help: 'Ingest requests by result (ok, rejected, retry, auth)',
      labelNames: ['result'],
      registers,
    });
    this.configUpdates = new Counter({
      name: `${P}config_updates_total`,
      help: 'Remote config polls by result (applied, unchanged, invalid, error)',
      labelNames: ['result'],
      registers,
    });
    this.spoolErrors = new Counter({
      name: `${P}spool_errors_total`,
      help: 'Failed spool writes or unreadable spool records',
      registers,
    });
    this.streamReopens = new Counter({
      name: `${P}stream_reopens_total`,
      help: 'Long-lived streams reopened after they ended',
      registers,
    });
    gauge(registers, 'buffer_results', 'Results waiting to be sent', () => sources.heartbeat().bufferDepth);
    gauge(
      registers,
      'buffer_bytes',
      'Serialized bytes waiting to be sent',
      () => sources.heartbeat().bufferBytes,
    );
    gauge(registers, 'checks_scheduled', 'Periodic checks in the schedule', () => sources.checksScheduled());
    gauge(registers, 'streams_open', 'Long-lived streams being held', () => sources.streamsOpen());
    gauge(registers, 'report_circuit_open', '1 while the reporter circuit breaker is open', () =>
      sources.breakerOpen() ? 1 : 0,
    );
    gauge(registers, 'resident_memory_bytes', 'Resident set size', () => process.memoryUsage.rss());
    gauge(registers, 'heap_used_bytes', 'V8 heap in use', () => process.memoryUsage().heapUsed);
    gauge(registers, 'degraded', '1 while the probe considers its own measurements unreliable', () =>
      sources.heartbeat().degraded ? 1 : 0,
    );
    new Gauge({
      name: `${P}event_loop_delay_seconds`,
      help: 'Event-loop delay in the last health window',
      labelNames: ['quantile'],
      registers,
      collect() {
        const lag = sources.heartbeat().eventLoopDelayMs;
        this.set({ quantile: '0.5' }, lag.p50 / 1000);
        this.set({ quantile: '0.99' }, lag.p99 / 1000);
        this.set({ quantile: '1' }, lag.max / 1000);
      },
    });
    new Gauge({
      name: `${P}cpu_throttled`,
      help: 'cgroup CPU throttling since start (periods, throttled periods, throttled seconds)',
      labelNames: ['kind'],
      registers,
      collect() {
        const t = sources.heartbeat().cpuThrottle;
        if (!t) return;
        this.set({ kind: 'periods' }, t.nrPeriods);
        this.set({ kind: 'throttled_periods' }, t.nrThrottled);
        this.set({ kind: 'throttled_seconds' }, t.throttledUsec / 1e6);
      },
    });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

function gauge(registers: Registry[], name: string, help: string, read: () => number): void {
  new Gauge({
    name: `${P}${name}`,
    help,
    registers,
    collect() {
      this.set(read());
    },
  });
}
